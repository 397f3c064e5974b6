//! Which port a scanner is on (issue 18): USB identities as `--scanner` takes them, port names as Windows
//! writes them, and the choice of port when Windows (or Linux) gives a scanner plugged back in another
//! name, all on listings written here; then a reader given a USB identity no port has, and `rma-station
//! ports` on this machine's real list. No test needs a USB device.

use std::sync::Arc;
use std::sync::mpsc::sync_channel;
use std::time::Duration;

use rma_station::devices::ports::{Located, PortInfo, UsbId, identity, locate, same_name, sorted, table};
use rma_station::devices::scanner::{ScannerConfig, ScannerEvent, ScannerReader};
use rma_station::domain::scan::{Classifier, FramerConfig};

use crate::support::{POLICIES, run_station};

fn usb(vid: u16, pid: u16, serial: Option<&str>) -> UsbId {
    UsbId { vid, pid, serial: serial.map(str::to_owned) }
}

fn port(name: &str, id: Option<UsbId>) -> PortInfo {
    PortInfo { name: name.to_owned(), usb: id, product: None }
}

#[track_caller]
fn check_parse(given: &str, expected: Result<UsbId, &str>) {
    match (given.parse::<UsbId>(), expected) {
        (Ok(id), Ok(wanted)) => {
            assert_eq!(id, wanted, "{given}");
            // Written back as `ports` prints it: upper-case hexadecimal, four digits.
            assert_eq!(id.to_string().parse::<UsbId>().unwrap(), id, "{given} round trip");
        }
        (Err(error), Err(words)) => assert!(error.to_string().contains(words), "{given}: {error}"),
        (got, wanted) => panic!("{given}: got {got:?}, expected {wanted:?}"),
    }
}

#[test]
fn a_usb_identity_is_vendor_product_and_serial_in_hexadecimal() {
    check_parse("usb:05E0:1701:S123", Ok(usb(0x05E0, 0x1701, Some("S123"))));
    check_parse("usb:05e0:1701", Ok(usb(0x05E0, 0x1701, None)));
    // A serial number may hold colons: it is everything after the product id.
    check_parse("usb:0C2E:0B61:AB:CD", Ok(usb(0x0C2E, 0x0B61, Some("AB:CD"))));
    check_parse("usb:5E0:1701", Err("four hexadecimal digits"));
    check_parse("usb:05E0:17G1", Err("four hexadecimal digits"));
    check_parse("usb:05E0", Err("four hexadecimal digits"));
    check_parse("usb:05E0:1701:", Err("serial number after the last colon is empty"));
    check_parse("COM3", Err("does not start with usb:"));
    assert_eq!(usb(0x05E0, 0x1701, Some("S1")).to_string(), "usb:05E0:1701:S1");
    assert_eq!(usb(0x5E0, 0x11, None).to_string(), "usb:05E0:0011");
}

#[test]
fn com_names_are_one_port_in_any_case_and_with_the_device_prefix() {
    let cases = [
        ("COM3", "COM3", true),
        ("com3", "COM3", true),
        (r"\\.\COM12", "COM12", true),
        ("COM3", "COM30", false),
        ("COM3", "COM4", false),
        ("/dev/ttyACM0", "/dev/ttyACM0", true),
        // Unix names are case-sensitive, and only COM names drop the prefix.
        ("/dev/ttyacm0", "/dev/ttyACM0", false),
        ("COMX", "comx", false),
    ];
    for (a, b, same) in cases {
        assert_eq!(same_name(a, b), same, "{a} and {b}");
        assert_eq!(same_name(b, a), same, "{b} and {a}");
    }
}

#[test]
fn ports_are_listed_com3_before_com10() {
    let names: Vec<String> =
        sorted(vec![port("COM10", None), port("COM3", None), port("COM1", None), port("/dev/ttyACM0", None)])
            .into_iter()
            .map(|p| p.name)
            .collect();
    assert_eq!(names, ["/dev/ttyACM0", "COM1", "COM3", "COM10"]);
}

#[track_caller]
fn check_locate(configured: &str, seen: Option<&UsbId>, ports: &[PortInfo], expected: Result<&str, &str>) {
    match (locate(configured, seen, ports), expected) {
        (Located::Open(name), Ok(wanted)) => assert_eq!(name, wanted, "{configured}"),
        (Located::Absent(why), Err(words)) => assert!(why.contains(words), "{configured}: {why}"),
        (got, wanted) => panic!("{configured}: got {got:?}, expected {wanted:?}"),
    }
}

#[test]
fn issue_18_a_scanner_windows_renumbered_is_followed_by_its_usb_identity() {
    let left = usb(0x05E0, 0x1701, Some("LEFT"));
    let right = usb(0x05E0, 0x1701, Some("RIGHT"));
    let printer = usb(0x0A5F, 0x0164, Some("P1"));
    // Before: the left scanner on COM3. After a replug into another socket Windows calls it COM5.
    let before = [port("COM3", Some(left.clone())), port("COM4", Some(right.clone()))];
    let renumbered = [port("COM4", Some(right.clone())), port("COM5", Some(left.clone()))];
    let gone = [port("COM4", Some(right.clone()))];
    let taken = [port("COM3", Some(printer.clone())), port("COM4", Some(right.clone()))];
    let serial_less = [port("COM6", Some(usb(0x05E0, 0x1701, None)))];

    // A plain name never seen on a listed USB device is opened as it is, listed or not.
    check_locate("COM3", None, &before, Ok("COM3"));
    check_locate("/dev/rma-scanner-left", None, &[], Ok("/dev/rma-scanner-left"));
    // Seen on COM3: still there, renumbered, gone (COM3 is tried, for when it comes back), or COM3 handed on.
    check_locate("COM3", Some(&left), &before, Ok("COM3"));
    check_locate("COM3", Some(&left), &renumbered, Ok("COM5"));
    check_locate("com3", Some(&left), &renumbered, Ok("COM5"));
    check_locate("COM3", Some(&left), &gone, Ok("COM3"));
    check_locate(
        "COM3",
        Some(&left),
        &taken,
        Err("COM3 is now usb:0A5F:0164:P1, not the scanner (usb:05E0:1701:LEFT)"),
    );
    check_locate("COM3", Some(&left), &[port("COM3", None)], Err("COM3 is now a device that is not USB"));
    // Seen without a serial number: followed only while one port alone carries those ids.
    let bare = usb(0x05E0, 0x1701, None);
    check_locate("COM3", Some(&bare), &serial_less, Ok("COM6"));
    check_locate("COM3", Some(&bare), &renumbered, Ok("COM3"));

    // Configured by identity: whichever port carries it now.
    check_locate("usb:05E0:1701:LEFT", None, &before, Ok("COM3"));
    check_locate("usb:05E0:1701:LEFT", None, &renumbered, Ok("COM5"));
    check_locate("usb:05e0:1701:RIGHT", None, &renumbered, Ok("COM4"));
    check_locate("usb:05E0:1701:LEFT", None, &gone, Err("no port has the USB device usb:05E0:1701:LEFT"));
    check_locate("usb:05E0:1701", None, &before, Err("2 ports have the USB device usb:05E0:1701"));
    check_locate("usb:05E0:1701", None, &serial_less, Ok("COM6"));
    check_locate("usb:05E0", None, &before, Err("four hexadecimal digits"));

    assert_eq!(identity("com5", &renumbered), Some(left));
    assert_eq!(identity("COM9", &renumbered), None);
}

#[test]
fn the_ports_table_names_each_port_with_its_usb_identity() {
    let mut scanner = port("COM3", Some(usb(0x05E0, 0x1701, Some("S123"))));
    scanner.product = Some("Symbol Bar Code Scanner".to_owned());
    let text = table(&[scanner, port("COM10", None)]);
    assert_eq!(text, "COM3   usb:05E0:1701:S123  Symbol Bar Code Scanner\nCOM10  (not USB)\n");
    assert!(table(&[]).starts_with("no serial ports"), "{}", table(&[]));
}

#[test]
fn a_reader_given_a_usb_identity_no_port_has_says_so() {
    let classifier = Arc::new(Classifier::new(&POLICIES.classifier_config()).unwrap());
    let (sender, events) = sync_channel(8);
    let config = ScannerConfig {
        name: "left".into(),
        port: "usb:FFFF:FFFE:NO-SUCH-SCANNER".into(),
        baud: 9600,
        framing: FramerConfig::default(),
        repeat_window: Duration::from_millis(800),
    };
    let _reader = ScannerReader::spawn(config, classifier, sender, Arc::new(|| {})).unwrap();
    match events.recv_timeout(Duration::from_secs(20)).unwrap() {
        ScannerEvent::Disconnected { scanner, reason } => {
            assert_eq!(scanner, "left");
            assert_eq!(reason, "no port has the USB device usb:FFFF:FFFE:NO-SUCH-SCANNER (is the scanner plugged in?)");
        }
        other => panic!("expected Disconnected, got {other:?}"),
    }
}

#[test]
fn rma_station_ports_lists_this_machines_ports() {
    let out = run_station(&["ports"], "");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    // Whatever this machine has: each line a port and what it is, or the one line saying there is none.
    assert!(!stdout.is_empty());
    for line in stdout.lines() {
        let columns: Vec<&str> = line.split_whitespace().collect();
        assert!(
            line.starts_with("no serial ports")
                || (columns.len() >= 2 && (columns[1] == "(not" || columns[1].starts_with("usb:"))),
            "{line}"
        );
    }
}
