//! Photos for the open inspection: from a path, the picker, a drop, the hot folder or a webcam, sent to
//! the photo thread and recorded on the storage thread (its original kept there first where the store shares
//! photos); and the full view of a stored photo.

use super::*;

impl StationApp {
    /// Sends a photo file to the photo thread for the open inspection, at the chosen checkpoint and item.
    /// Every way a file comes in (a typed path, the picker, a drop, the hot folder) comes through here.
    pub(super) fn add_photo(&mut self, path: PathBuf, ctx: &egui::Context) {
        let Some(tag) = self.attach_tag() else {
            self.notices
                .push(Level::Warning, format!("{}: no inspection is open to attach this photo to", path.display()));
            return;
        };
        self.ingest(tag, PhotoWork::IngestFile(path));
        ctx.request_repaint();
    }

    /// Where a photo taken now goes: the open inspection, its selected checkpoint and item.
    pub(super) fn attach_tag(&self) -> Option<PhotoTag> {
        // While a decision is being saved the inspection is closing: a photo now would miss it.
        let bench = self.bench.as_ref().filter(|b| !b.saving)?;
        Some(PhotoTag::Attach {
            inspection_id: bench.package.inspection_id,
            checkpoint: bench.checkpoint,
            item: Some(bench.selected),
        })
    }

    /// Queues a photo for the photo thread, counting it as pending on its inspection.
    pub(super) fn ingest(&mut self, tag: PhotoTag, work: PhotoWork) {
        let Some(worker) = &self.photo_worker else { return };
        let PhotoTag::Attach { inspection_id, .. } = tag else { return };
        match worker.submit(tag, work) {
            Ok(()) => {
                if let Some(bench) = self.bench.as_mut().filter(|b| b.package.inspection_id == inspection_id) {
                    bench.photos_pending += 1;
                }
            }
            Err(e) => self.notices.push(Level::Error, e.to_string()),
        }
    }

    /// Opens the photo picker where it makes sense to start (see `start_candidates`).
    pub(super) fn open_picker(&mut self) {
        if self.picker.is_some() || self.bench.is_none() {
            return;
        }
        let candidates =
            start_candidates(self.picker_folder.as_deref(), self.hot_folder_path.as_deref(), self.home.as_deref());
        let (picker, request) = Picker::open(candidates, self.home.clone());
        self.picker = Some(picker);
        self.list_folder(request);
    }

    /// Sends a listing the picker asked for to the `folder-list` thread.
    pub(super) fn list_folder(&mut self, request: ListRequest) {
        let Some(lister) = &self.lister else { return };
        if let Err(e) = lister.submit(request) {
            self.notices.push(Level::Error, e.to_string());
        }
    }

    pub(super) fn picker_action(&mut self, action: PickerAction, ctx: &egui::Context) {
        match action {
            PickerAction::List(request) => self.list_folder(request),
            PickerAction::Attach(paths) => {
                self.picker_folder = self.picker.take().and_then(|p| p.folder().map(Path::to_path_buf));
                for path in paths {
                    self.add_photo(path, ctx);
                }
            }
            PickerAction::Close => {
                self.picker = None;
            }
        }
    }

    /// Looks for webcams on the `webcam` thread (at start, and as each package opens: one may have been
    /// plugged in since).
    pub(super) fn find_webcams(&mut self) {
        let Some(webcam) = &self.webcam else { return };
        if let Err(e) = webcam.submit(WebcamWork::Find) {
            self.notices.push(Level::Error, e.to_string());
        }
    }

    /// F7 or the button: a photo from the chosen webcam, for the checkpoint and item selected now.
    pub(super) fn take_webcam_photo(&mut self) {
        let Some(Webcams::Found(cameras)) = &self.webcams else { return };
        let Some(camera) = cameras.get(self.camera) else { return };
        if self.capturing.is_some() {
            return;
        }
        let Some(tag) = self.attach_tag() else { return };
        let Some(webcam) = &self.webcam else { return };
        match webcam.submit(WebcamWork::Capture(camera.node.clone())) {
            Ok(()) => self.capturing = Some(tag),
            Err(e) => self.notices.push(Level::Error, e.to_string()),
        }
    }

    pub(super) fn take_webcam_answer(&mut self, answer: WebcamAnswer, ctx: &egui::Context) {
        match answer {
            WebcamAnswer::Found(Ok(webcams)) => {
                if !matches!(&webcams, Webcams::Found(cameras) if self.camera < cameras.len()) {
                    self.camera = 0;
                }
                self.webcams = Some(webcams);
            }
            WebcamAnswer::Found(Err(message)) => {
                self.webcams = Some(Webcams::NoCamera { notes: vec![message] });
            }
            WebcamAnswer::Captured(result) => {
                let Some(tag) = self.capturing.take() else { return };
                match result {
                    // The camera's own JPEG, filed like any other photo.
                    Ok(jpeg) => self.ingest(tag, PhotoWork::IngestBytes(jpeg)),
                    Err(e) => self.notices.push(Level::Error, format!("no webcam photo: {e}")),
                }
                ctx.request_repaint();
            }
        }
    }

    /// Opens the full view of a stored photo; the photo thread decodes it.
    pub(super) fn open_preview(&mut self, sha256: String) {
        let (Some(worker), Ok(hash)) = (&self.photo_worker, sha256.parse::<PhotoHash>()) else { return };
        match worker.submit(PhotoTag::Preview, PhotoWork::Preview(hash)) {
            Ok(()) => self.preview = Some(PhotoPreview { sha256, texture: None, zoom: 1.0 }),
            Err(e) => self.notices.push(Level::Error, e.to_string()),
        }
    }

    pub(super) fn take_photo(&mut self, result: PhotoResult<PhotoTag>, ctx: &egui::Context) {
        let PhotoTag::Attach { inspection_id, checkpoint, item } = result.tag else {
            match result.outcome {
                Ok(PhotoDone::Preview { hash, picture }) => {
                    if let Some(preview) = self.preview.as_mut().filter(|p| p.sha256 == hash.to_string()) {
                        preview.texture = Some(texture(ctx, &preview.sha256, "preview", &picture));
                    }
                }
                Ok(_) => {}
                Err(e) => self.notices.push(Level::Error, format!("the photo cannot be shown: {e}")),
            }
            return;
        };
        if let Some(bench) = self.bench.as_mut().filter(|b| b.package.inspection_id == inspection_id) {
            bench.photos_pending = bench.photos_pending.saturating_sub(1);
        }
        let ingested = match result.outcome {
            Ok(PhotoDone::Ingested(ingested)) => ingested,
            Ok(_) => return,
            Err(e) => {
                self.notices.push(Level::Error, format!("photo not taken: {e}"));
                return;
            }
        };
        let row = ingested.record().to_row(inspection_id, item.map(|i| i as u32), checkpoint);
        let crate::photos::ingest::Ingested { thumbnail, original, .. } = *ingested;
        let tile = PhotoTileData { sha256: row.sha256.clone(), checkpoint, item, thumbnail };
        let (actor, now) = (self.actor(), self.now());
        self.submit(
            ctx,
            move |store| {
                crate::bench::inspection::record_photo(store, &actor, &now, &row, &original)
                    .map(|_| ())
                    .map_err(Problem::from)
            },
            move |result| AppEvent::PhotoRecorded { inspection_id, tile, result },
        );
    }
}
