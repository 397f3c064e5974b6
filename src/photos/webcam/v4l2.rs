//! The `webcam` feature's device calls, through `linuxvideo` (pure-Rust V4L2, 0BSD, no system library):
//! what a video device node is, and one JPEG frame from a camera. Everything that can be decided without
//! a device is in the parent module, where it is built and tested without the feature.

use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

use linuxvideo::format::{PixFormat, PixelFormat};
use linuxvideo::{BufType, CapabilityFlags, Device};

use super::{Camera, WebcamError, choose_format, fourcc_words, frame_to_jpeg};

/// How long a capture waits for a usable frame before it gives up.
const FRAME_WAIT: Duration = Duration::from_secs(5);
/// A camera's first frames are often dark or blurred while its exposure and focus settle: frames in the
/// first 600 ms are let go (and always the very first).
const SETTLE: Duration = Duration::from_millis(600);
/// How often the stream is asked whether a frame is ready (so that a silent camera cannot block the
/// thread beyond [`FRAME_WAIT`]).
const POLL: Duration = Duration::from_millis(10);

/// The camera at `node`, or `None` for a video device that does not capture pictures (a camera's
/// metadata node, a codec).
pub(super) fn describe(node: &Path) -> io::Result<Option<Camera>> {
    let device = Device::open(node)?;
    let capabilities = device.capabilities()?;
    if !capabilities.device_capabilities().contains(CapabilityFlags::VIDEO_CAPTURE) {
        return Ok(None);
    }
    Ok(Some(Camera { node: node.to_path_buf(), name: capabilities.card().to_owned() }))
}

/// One frame from the camera at `node`, in the largest size it gives as JPEG, as a JPEG file.
pub(super) fn capture(node: &Path) -> Result<Vec<u8>, WebcamError> {
    let device_error = |source| WebcamError::Device { node: node.to_path_buf(), source };
    let device = Device::open(node).map_err(device_error)?;
    let offered = device
        .formats(BufType::VIDEO_CAPTURE)
        .map(|format| format.map(|f| f.pixel_format().as_fourcc()))
        .collect::<io::Result<Vec<_>>>()
        .map_err(device_error)?;
    let Some(fourcc) = choose_format(&offered) else {
        return Err(WebcamError::NoJpeg { node: node.to_path_buf(), offered: fourcc_words(&offered) });
    };
    // Asking for the largest size there is: the driver answers with the largest it has in that format.
    let format = PixFormat::new(u32::MAX, u32::MAX, PixelFormat::from_fourcc(fourcc));
    let mut stream = device.video_capture(format).and_then(|c| c.into_stream()).map_err(device_error)?;
    let started = Instant::now();
    let mut frames = 0_u32;
    let mut last_error = None;
    while started.elapsed() < FRAME_WAIT {
        if stream.will_block().map_err(device_error)? {
            std::thread::sleep(POLL);
            continue;
        }
        let (damaged, frame) =
            stream.dequeue(|buffer| Ok((buffer.is_error(), buffer.to_vec()))).map_err(device_error)?;
        frames += 1;
        if damaged || frames == 1 || started.elapsed() < SETTLE {
            continue;
        }
        match frame_to_jpeg(&frame) {
            Ok(jpeg) => return Ok(jpeg),
            Err(source) => last_error = Some(WebcamError::Frame { node: node.to_path_buf(), source }),
        }
    }
    Err(last_error.unwrap_or(WebcamError::NoFrame { node: node.to_path_buf(), seconds: FRAME_WAIT.as_secs() }))
}
