//! The evidence packet as a PDF: pages laid out from an [`EvidencePacket`] and written with `pdf-writer`.
//!
//! Pure: the packet in, the PDF's bytes out; no file, clock or database. The page is US Letter because the
//! customers and merchants the station serves are in the United States and Canada, where Letter is the
//! paper; every mark stays inside 504 × 680 points, so the packet also prints whole on A4. Each page has
//! a header naming the RMA and a footer with "page n of N". The text pages come first (the return, the
//! decision, each reason in the merchant's own words, what was received, the audit chain position), then
//! one page per photo, as large as the page allows, under a caption with its checkpoint, item, capture
//! time, camera and SHA-256.
//!
//! A JPEG photo is embedded as its original bytes (DCTDecode), so the SHA-256 printed under it is also the
//! hash of the image stream inside the PDF; it is turned upright by the placement matrix from its EXIF
//! orientation, never by re-encoding. A PNG photo is decoded and embedded losslessly (Flate), its alpha
//! as a soft mask. A photo the PDF cannot carry (a 12-bit JPEG, a damaged file) gets a box that says why,
//! with its hash, rather than disappearing. Text uses the built-in Helvetica and Courier (see `text`).

#![expect(clippy::float_arithmetic, reason = "page geometry in points; amounts are printed from Money, never computed")]

use std::collections::BTreeMap;

use miniz_oxide::deflate::compress_to_vec_zlib;
use pdf_writer::{Content, Date, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::domain::policy::words::format_amount;
use crate::domain::vocabulary::Verdict;
use crate::evidence::EvidencePacket;
pub use crate::evidence::images::orientation_matrix;
use crate::evidence::images::{ColourSpace, Images, prepare_images, quarter_turn};
use crate::evidence::text::{self, Face};
use crate::storage::EvidencePhoto;

/// US Letter, in points.
pub const PAGE_WIDTH: f32 = 612.0;
pub const PAGE_HEIGHT: f32 = 792.0;
const MARGIN: f32 = 54.0;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
const HEADER_BASELINE: f32 = PAGE_HEIGHT - 40.0;
const BODY_TOP: f32 = PAGE_HEIGHT - 70.0;
const BODY_BOTTOM: f32 = 60.0;
const FOOTER_BASELINE: f32 = 36.0;
/// Where a field's value starts, right of its label.
const LABEL_WIDTH: f32 = 112.0;
const BODY_SIZE: f32 = 9.5;
const SMALL_SIZE: f32 = 8.0;
/// Hashes in Courier at this size fit 64 hex digits on one line with room to spare.
const HASH_SIZE: f32 = 8.0;
const LEADING: f32 = 1.35;

const BLACK: [f32; 3] = [0.0, 0.0, 0.0];
const GREY: [f32; 3] = [0.35, 0.35, 0.35];
const GOOD: [f32; 3] = [0.05, 0.45, 0.15];
const WAIT: [f32; 3] = [0.65, 0.42, 0.0];
const WRONG: [f32; 3] = [0.72, 0.08, 0.08];

/// A written packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedPacket {
    pub bytes: Vec<u8>,
    pub pages: usize,
}

/// Lays the packet out and writes the PDF.
pub fn render(packet: &EvidencePacket) -> RenderedPacket {
    let images = prepare_images(packet);
    let mut layout = Layout::new();
    summary_pages(&mut layout, packet);
    for (index, photo) in packet.record.photos.iter().enumerate() {
        photo_page(&mut layout, packet, &images, index, photo);
    }
    let pages = layout.pages.len();
    RenderedPacket { bytes: write_pdf(packet, layout, &images), pages }
}

// ----- layout -----

/// One page being laid out: its drawing so far and the images it shows (by SHA-256).
struct PageDraft {
    content: Content,
    images: Vec<String>,
}

/// Pages laid out top to bottom; `y` is the next baseline's room on the last page.
struct Layout {
    pages: Vec<PageDraft>,
    y: f32,
    /// Some text had characters the fonts lack, written as their codes: the footer says so.
    replaced: bool,
}

impl Layout {
    fn new() -> Layout {
        let mut layout = Layout { pages: Vec::new(), y: BODY_TOP, replaced: false };
        layout.new_page();
        layout
    }

    fn new_page(&mut self) {
        self.pages.push(PageDraft { content: Content::new(), images: Vec::new() });
        self.y = BODY_TOP;
    }

    /// Starts a new page unless `height` points still fit on this one.
    fn keep(&mut self, height: f32) {
        if self.y - height < BODY_BOTTOM {
            self.new_page();
        }
    }

    fn page(&mut self) -> &mut PageDraft {
        if self.pages.is_empty() {
            self.new_page();
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn gap(&mut self, points: f32) {
        self.y -= points;
    }

    /// Wrapped text at `x`, `width` wide, continuing on the next page when the page is full.
    fn text(&mut self, face: Face, size: f32, colour: [f32; 3], x: f32, width: f32, words: &str) {
        let encoded = text::encode(words);
        self.replaced |= encoded.replaced;
        for line in text::wrap(face, size, &encoded.bytes, width) {
            self.keep(size * LEADING);
            self.y -= size;
            let y = self.y;
            show(&mut self.page().content, face, size, colour, x, y, &line);
            self.y -= size * (LEADING - 1.0);
        }
    }

    fn paragraph(&mut self, words: &str) {
        self.text(Face::Regular, BODY_SIZE, BLACK, MARGIN, CONTENT_WIDTH, words);
    }

    /// A section title, kept on the page with at least three lines after it.
    fn heading(&mut self, title: &str) {
        self.gap(10.0);
        self.keep(13.0 * LEADING + 3.0 * BODY_SIZE * LEADING);
        self.text(Face::Bold, 13.0, BLACK, MARGIN, CONTENT_WIDTH, title);
        let y = self.y + 2.0;
        rule(&mut self.page().content, y);
        self.gap(4.0);
    }

    /// A label and its value beside it; the value wraps under itself.
    fn field(&mut self, label: &str, value: &str) {
        self.keep(BODY_SIZE * LEADING);
        let top = self.y;
        self.text(Face::Bold, BODY_SIZE, BLACK, MARGIN, LABEL_WIDTH - 6.0, label);
        let below_label = self.y;
        self.y = top;
        let pages = self.pages.len();
        self.text(Face::Regular, BODY_SIZE, BLACK, MARGIN + LABEL_WIDTH, CONTENT_WIDTH - LABEL_WIDTH, value);
        if self.pages.len() == pages {
            self.y = self.y.min(below_label);
        }
    }

    /// A SHA-256 or other hash in Courier, under a label in the value column.
    fn hash_field(&mut self, label: &str, hash: &str) {
        self.keep(HASH_SIZE * LEADING);
        let top = self.y;
        self.text(Face::Bold, BODY_SIZE, BLACK, MARGIN, LABEL_WIDTH - 6.0, label);
        // The smaller hash sits on the label's baseline.
        self.y = top - (BODY_SIZE - HASH_SIZE);
        self.text(Face::Mono, HASH_SIZE, BLACK, MARGIN + LABEL_WIDTH, CONTENT_WIDTH - LABEL_WIDTH, hash);
        self.y = self.y.min(top - BODY_SIZE * LEADING);
    }
}

/// One line of WinAnsi text with its baseline at (`x`, `y`), in its own text object so that a reader
/// extracting the text gets one line per line.
fn show(content: &mut Content, face: Face, size: f32, colour: [f32; 3], x: f32, y: f32, line: &[u8]) {
    content.set_fill_rgb(colour[0], colour[1], colour[2]);
    content.begin_text();
    content.set_font(Name(face.resource()), size);
    content.next_line(x, y);
    content.show(Str(line));
    content.end_text();
}

fn rule(content: &mut Content, y: f32) {
    content.set_stroke_rgb(GREY[0], GREY[1], GREY[2]);
    content.set_line_width(0.5);
    content.move_to(MARGIN, y);
    content.line_to(PAGE_WIDTH - MARGIN, y);
    content.stroke();
}

fn verdict_colour(verdict: Verdict) -> [f32; 3] {
    match verdict {
        Verdict::Accept => GOOD,
        Verdict::Partial | Verdict::Hold => WAIT,
        Verdict::Deny => WRONG,
    }
}

/// "2026-11-21T09:02:13.000Z" as "2026-11-21 09:02:13 UTC"; anything else as it is.
fn utc_words(instant: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(instant)
        .map(|at| at.with_timezone(&chrono::Utc).format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|_| instant.to_owned())
}

fn words(word: &str) -> String {
    word.replace('_', " ")
}

/// The number the packet is known by: the RMA's, or the order's for a package without one.
pub fn packet_title(packet: &EvidencePacket) -> String {
    match &packet.record.rma {
        Some(rma) => rma.record.number.clone(),
        None => format!("order {} (no RMA)", packet.record.order.record.number),
    }
}

/// The text pages: the return, the decision, its reasons, what was received, the photos' list and the
/// decision's place in the audit chain.
fn summary_pages(layout: &mut Layout, packet: &EvidencePacket) {
    layout.text(Face::Bold, 20.0, BLACK, MARGIN, CONTENT_WIDTH, &format!("Evidence packet: {}", packet_title(packet)));
    layout.text(
        Face::Regular,
        BODY_SIZE,
        GREY,
        MARGIN,
        CONTENT_WIDTH,
        "What the returns bench recorded about this package and why it was decided as it was: for the customer, \
         the merchant, and anyone who checks it later against the station's audit log.",
    );
    return_section(layout, packet);
    decision_section(layout, packet);
    reasons_section(layout, packet);
    received_section(layout, packet);
    photos_section(layout, packet);
    audit_section(layout, packet);
}

fn return_section(layout: &mut Layout, packet: &EvidencePacket) {
    let (record, order) = (&packet.record, &packet.record.order.record);
    layout.heading("The return");
    layout.field("Merchant", &format!("{} ({})", record.merchant_name, order.merchant));
    match &record.rma {
        Some(rma) => {
            let rma = &rma.record;
            let mut line = format!(
                "{} · {}, asking for {} · requested {}",
                rma.number,
                words(rma.kind.as_str()),
                words(rma.resolution.as_str()),
                rma.requested_on
            );
            if rma.defective_on_arrival {
                line.push_str(" · reported defective on arrival");
            }
            layout.field("RMA", &line);
            if !rma.note.is_empty() {
                layout.field("RMA note", &rma.note);
            }
        }
        None => {
            layout.field("RMA", "none: the package came without one and was decided by the merchant's rule for those")
        }
    }
    let delivered = order.delivered_on.map_or_else(|| "delivery date unknown".to_owned(), |d| format!("delivered {d}"));
    layout.field(
        "Order",
        &format!(
            "{} · purchased {} · {delivered} · {}",
            order.number,
            order.purchased_on,
            words(order.channel.as_str())
        ),
    );
    layout.field("Customer", &format!("{} · {}", order.customer_name, order.customer_email));
    if !order.ship_to.is_empty() {
        layout.field("Ship to", &order.ship_to.join("\n"));
    }
    let package = &record.package;
    layout.field(
        "Package",
        &format!(
            "#{} · scanned {} ({}) · received {} by {} at {}",
            package.id,
            package.scanned_code,
            words(&package.scanned_kind),
            utc_words(&package.received_at),
            package.operator,
            package.station
        ),
    );
    if !package.note.is_empty() {
        layout.field("Package note", &package.note);
    }
}

fn decision_section(layout: &mut Layout, packet: &EvidencePacket) {
    let (record, decision) = (&packet.record, &packet.record.decision);
    let currency = record.order.record.currency.as_str();
    layout.heading("The decision");
    layout.gap(2.0);
    layout.text(
        Face::Bold,
        18.0,
        verdict_colour(decision.verdict),
        MARGIN,
        CONTENT_WIDTH,
        &format!("{} — {}", decision.verdict.as_str().to_uppercase(), words(decision.disposition.as_str())),
    );
    layout.gap(4.0);
    let money = &packet.decision.money;
    let mut amounts = vec![format!("items accepted {}", format_amount(money.items_accepted, currency))];
    for (what, fee) in [
        ("restocking fee", money.restocking_fee),
        ("card processing fee", money.card_fee),
        ("return label", money.return_label),
        ("handling fee", money.handling_fee),
    ] {
        if !fee.is_zero() {
            amounts.push(format!("{what} -{}", format_amount(fee, currency)));
        }
    }
    amounts.push(format!("net {}", format_amount(decision.net, currency)));
    layout.field("Money", &amounts.join(" · "));
    if !money.shipping_not_refunded.is_zero() {
        layout.field(
            "Shipping",
            &format!("{} charged for shipping is not refunded", format_amount(money.shipping_not_refunded, currency)),
        );
    }
    if let Some(due) = packet.decision.refund_due_on {
        layout.field("Refund due", &format!("by {due}"));
    }
    layout.field(
        "Decided",
        &format!(
            "{} by {} at {} (decision {}, dated {})",
            utc_words(&record.decision_entry.at),
            decision.operator,
            decision.station,
            decision.id,
            decision.decided_on
        ),
    );
    if let (Some(reason), Some(by)) = (&decision.override_reason, &decision.approved_by) {
        layout.field("Override", &format!("the engine's decision was changed, approved by supervisor {by}: {reason}"));
    }
    if !packet.decision.flags.is_empty() {
        layout.field("Flags", &packet.decision.flags.iter().map(|f| words(f)).collect::<Vec<_>>().join(", "));
    }
    layout.field("Policy", &packet.decision.policy_file);
    layout.hash_field("Policy SHA-256", &decision.policy_sha256);
}

fn reasons_section(layout: &mut Layout, packet: &EvidencePacket) {
    layout.heading("Why: the merchant's policy");
    if packet.decision.reasons.is_empty() {
        layout.paragraph("The decision names no clause.");
    }
    for clause in &packet.decision.reasons {
        layout.gap(3.0);
        layout.keep(2.0 * BODY_SIZE * LEADING);
        layout.text(Face::Bold, BODY_SIZE, BLACK, MARGIN, CONTENT_WIDTH, &clause.id);
        layout.text(
            Face::Regular,
            BODY_SIZE,
            BLACK,
            MARGIN + 12.0,
            CONTENT_WIDTH - 12.0,
            &format!("“{}”", clause.text.trim()),
        );
    }
}

fn received_section(layout: &mut Layout, packet: &EvidencePacket) {
    let (record, currency) = (&packet.record, packet.record.order.record.currency.as_str());
    layout.heading("What was received");
    let sheet = &record.sheet;
    layout.field(
        "Inspection",
        &format!(
            "received {} · original owner {} · commercial use {} · proof of purchase {}",
            sheet.received_on,
            yes_no(sheet.original_owner),
            yes_no(sheet.commercial_use),
            yes_no(sheet.proof_of_purchase)
        ),
    );
    for line in &packet.decision.lines {
        let mut counts = format!("{} ordered, {} received, {} accepted", line.ordered, line.received, line.accepted);
        if line.refused > 0 {
            counts.push_str(&format!(", {} refused", line.refused));
        }
        if line.missing > 0 {
            counts.push_str(&format!(", {} missing", line.missing));
        }
        if !line.fee.is_zero() {
            counts.push_str(&format!(" (fee {})", format_amount(line.fee, currency)));
        }
        counts.push_str(&format!(" — {}", words(&line.outcome)));
        layout.field(&line.sku, &counts);
    }
    for item in &sheet.items {
        let state = &item.state;
        let mut condition = format!(
            "{} × {} {} — condition {}, warranty sticker {}, packaging {}, defect {}, damage cause {}{}",
            item.received,
            item.sku,
            item.name,
            words(state.condition.as_str()),
            words(state.sticker.as_str()),
            words(state.packaging.as_str()),
            words(state.defect.as_str()),
            words(state.damage_cause.as_str()),
            if state.disassembled { ", disassembled" } else { "" }
        );
        if !item.serial.is_empty() {
            condition.push_str(&format!(" · serial {}", item.serial));
        }
        if !item.notes.is_empty() {
            condition.push_str(&format!(" · notes: {}", item.notes));
        }
        layout.gap(2.0);
        layout.paragraph(&condition);
    }
}

fn photos_section(layout: &mut Layout, packet: &EvidencePacket) {
    let record = &packet.record;
    layout.heading("Photos");
    if record.photos.is_empty() {
        layout.paragraph("No photo was taken of this package.");
    } else {
        layout.paragraph(&format!(
            "{} photo{} follow{}, one per page, each with its SHA-256: the hash of the original file kept in the \
             station's photo folder.",
            record.photos.len(),
            if record.photos.len() == 1 { "" } else { "s" },
            if record.photos.len() == 1 { "s" } else { "" }
        ));
        for (index, photo) in record.photos.iter().enumerate() {
            layout.paragraph(&format!("{}. {}", index + 1, photo_title(photo)));
        }
    }
}

fn audit_section(layout: &mut Layout, packet: &EvidencePacket) {
    let record = &packet.record;
    // The entry, its two hashes and how to check them belong on one page.
    layout.keep(10.0 * BODY_SIZE * LEADING);
    layout.heading("Audit chain position");
    let entry = &record.decision_entry;
    layout.field(
        "Audit entry",
        &format!(
            "#{} · {} decision {} · {} · {} at {}",
            entry.seq,
            entry.action,
            entry.entity_id,
            utc_words(&entry.at),
            entry.actor,
            entry.station
        ),
    );
    layout.hash_field("Entry hash", &entry.hash);
    layout.hash_field("Previous hash", &entry.prev_hash);
    layout.gap(2.0);
    layout.paragraph(&format!(
        "The station's audit log is a hash chain: each entry's SHA-256 covers its own fields and the hash of the \
         entry before it. To check this decision later, run `rma-station verify` on the station's database: it \
         recomputes the chain from the first entry, and entry #{} must still carry the hash above.",
        entry.seq
    ));
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

/// "Warranty sticker · item KVM-8P-RACK".
fn photo_title(photo: &EvidencePhoto) -> String {
    let checkpoint = words(photo.photo.checkpoint.as_str());
    match &photo.item_sku {
        Some(sku) => format!("{checkpoint} · item {sku}"),
        None => format!("{checkpoint} · the package as a whole"),
    }
}

fn photo_page(layout: &mut Layout, packet: &EvidencePacket, images: &Images<'_>, index: usize, photo: &EvidencePhoto) {
    let row = &photo.photo;
    layout.new_page();
    layout.text(
        Face::Bold,
        13.0,
        BLACK,
        MARGIN,
        CONTENT_WIDTH,
        &format!("Photo {} of {}: {}", index + 1, packet.record.photos.len(), photo_title(photo)),
    );
    let camera = match (&row.camera_make, &row.camera_model) {
        (Some(make), Some(model)) if model.starts_with(make.as_str()) => model.clone(),
        (Some(make), Some(model)) => format!("{make} {model}"),
        (Some(one), None) | (None, Some(one)) => one.clone(),
        (None, None) => "camera not recorded".to_owned(),
    };
    let taken = row
        .taken_at
        .as_deref()
        .map_or_else(|| "capture time not recorded".to_owned(), |t| format!("taken {t} (camera clock)"));
    let orientation =
        row.orientation.map_or_else(|| "no EXIF orientation".to_owned(), |o| format!("EXIF orientation {o}"));
    layout.text(
        Face::Regular,
        BODY_SIZE,
        BLACK,
        MARGIN,
        CONTENT_WIDTH,
        &format!("{taken} · {camera} · {} × {} pixels · {} bytes · {orientation}", row.width, row.height, row.bytes),
    );
    layout.text(
        Face::Regular,
        BODY_SIZE,
        BLACK,
        MARGIN,
        CONTENT_WIDTH,
        &format!("recorded at the bench {} by {}", utc_words(&photo.recorded_at), photo.recorded_by),
    );
    layout.hash_field("SHA-256", &row.sha256);
    layout.gap(6.0);
    let (left, bottom, width, height) = (MARGIN, BODY_BOTTOM, CONTENT_WIDTH, layout.y - BODY_BOTTOM);
    match images.get(&row.sha256) {
        Some(Ok(image)) => {
            let (upright_width, upright_height) =
                if quarter_turn(row.orientation) { (image.height, image.width) } else { (image.width, image.height) };
            let scale = (width / upright_width.max(1) as f32).min(height / upright_height.max(1) as f32);
            let (shown_width, shown_height) = (upright_width as f32 * scale, upright_height as f32 * scale);
            let x = left + (width - shown_width) / 2.0;
            let y = layout.y - shown_height;
            let name = image_name(images, &row.sha256);
            let page = layout.page();
            page.images.push(row.sha256.clone());
            let content = &mut page.content;
            content.save_state();
            content.transform([shown_width, 0.0, 0.0, shown_height, x, y]);
            content.transform(orientation_matrix(row.orientation));
            content.x_object(Name(name.as_bytes()));
            content.restore_state();
            content.set_stroke_rgb(GREY[0], GREY[1], GREY[2]);
            content.set_line_width(0.5);
            content.rect(x, y, shown_width, shown_height);
            content.stroke();
        }
        problem => {
            let why = match problem {
                Some(Err(why)) => why.clone(),
                _ => "its original was not supplied to the packet".to_owned(),
            };
            let content = &mut layout.page().content;
            content.set_stroke_rgb(WRONG[0], WRONG[1], WRONG[2]);
            content.set_line_width(1.0);
            content.rect(left, bottom, width, height);
            content.stroke();
            layout.gap(24.0);
            layout.text(
                Face::Bold,
                BODY_SIZE,
                WRONG,
                left + 24.0,
                width - 48.0,
                &format!(
                    "This photo cannot be shown in the packet: {why}. Its original is kept in the station's photo \
                     folder under the SHA-256 above."
                ),
            );
        }
    }
}

/// The resource name of a photo's image: `Im1`, `Im2`… in SHA-256 order.
fn image_name(images: &Images<'_>, sha256: &str) -> String {
    let position = images.keys().position(|key| key == sha256).unwrap_or(0);
    format!("Im{}", position + 1)
}

// ----- the PDF file -----

/// Hands out object numbers in order.
struct Refs(i32);

impl Refs {
    fn next(&mut self) -> Ref {
        self.0 += 1;
        Ref::new(self.0)
    }
}

fn write_pdf(packet: &EvidencePacket, layout: Layout, images: &Images<'_>) -> Vec<u8> {
    let mut refs = Refs(0);
    let (catalog_id, tree_id, info_id) = (refs.next(), refs.next(), refs.next());
    let fonts: Vec<(Face, Ref)> = Face::ALL.iter().map(|&face| (face, refs.next())).collect();
    let mut pdf = Pdf::new();
    let title = format!("Evidence packet {}", packet_title(packet));
    let generated = &packet.generated;
    let mut info = pdf.document_info(info_id);
    info.title(TextStr(&title));
    info.producer(TextStr("RMA Station"));
    info.creator(TextStr(&format!("{} at {}", generated.operator, generated.station)));
    info.creation_date(pdf_date(generated.at));
    info.finish();
    for &(face, id) in &fonts {
        pdf.type1_font(id).base_font(Name(face.base_font())).encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    let mut image_ids = BTreeMap::new();
    for (sha256, stream) in images {
        let Ok(stream) = stream else { continue };
        let id = refs.next();
        let mask_id = stream.alpha.as_ref().map(|_| refs.next());
        let mut image = pdf.image_xobject(id, &stream.data);
        image.filter(stream.filter);
        image.width(i32::try_from(stream.width).unwrap_or(i32::MAX));
        image.height(i32::try_from(stream.height).unwrap_or(i32::MAX));
        match stream.colour {
            ColourSpace::Gray => image.color_space().device_gray(),
            ColourSpace::Rgb => image.color_space().device_rgb(),
            ColourSpace::Cmyk => image.color_space().device_cmyk(),
        };
        image.bits_per_component(stream.bits);
        if stream.inverted {
            image.decode([1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
        }
        if let Some(mask_id) = mask_id {
            image.s_mask(mask_id);
        }
        image.finish();
        if let (Some(mask_id), Some(alpha)) = (mask_id, &stream.alpha) {
            let mut mask = pdf.image_xobject(mask_id, alpha);
            mask.filter(Filter::FlateDecode);
            mask.width(i32::try_from(stream.width).unwrap_or(i32::MAX));
            mask.height(i32::try_from(stream.height).unwrap_or(i32::MAX));
            mask.color_space().device_gray();
            mask.bits_per_component(stream.bits);
            mask.finish();
        }
        image_ids.insert(sha256.clone(), id);
    }
    let total = layout.pages.len();
    let page_ids: Vec<(Ref, Ref)> = (0..total).map(|_| (refs.next(), refs.next())).collect();
    pdf.catalog(catalog_id).pages(tree_id);
    pdf.pages(tree_id).kids(page_ids.iter().map(|(page, _)| *page)).count(i32::try_from(total).unwrap_or(i32::MAX));
    for (number, (draft, &(page_id, content_id))) in layout.pages.into_iter().zip(&page_ids).enumerate() {
        let mut content = draft.content;
        frame(&mut content, packet, number + 1, total, layout.replaced);
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT));
        page.parent(tree_id);
        page.contents(content_id);
        let mut resources = page.resources();
        let mut font_dict = resources.fonts();
        for &(face, id) in &fonts {
            font_dict.pair(Name(face.resource()), id);
        }
        font_dict.finish();
        if !draft.images.is_empty() {
            let mut objects = resources.x_objects();
            for sha256 in &draft.images {
                if let Some(&id) = image_ids.get(sha256) {
                    objects.pair(Name(image_name(images, sha256).as_bytes()), id);
                }
            }
            objects.finish();
        }
        resources.finish();
        page.finish();
        let level = miniz_oxide::deflate::CompressionLevel::DefaultLevel as u8;
        pdf.stream(content_id, &compress_to_vec_zlib(&content.finish(), level)).filter(Filter::FlateDecode);
    }
    pdf.finish()
}

/// The header and footer of page `number` of `total`.
fn frame(content: &mut Content, packet: &EvidencePacket, number: usize, total: usize, replaced: bool) {
    let left = text::encode(&format!("Evidence packet · {}", packet_title(packet)));
    show(content, Face::Bold, SMALL_SIZE, GREY, MARGIN, HEADER_BASELINE, &left.bytes);
    let right = text::encode(&format!("{} · decision {}", packet.record.merchant_name, packet.record.decision.id));
    let right_x = PAGE_WIDTH - MARGIN - text::width(Face::Regular, &right.bytes, SMALL_SIZE);
    show(content, Face::Regular, SMALL_SIZE, GREY, right_x, HEADER_BASELINE, &right.bytes);
    rule(content, HEADER_BASELINE - 6.0);
    rule(content, FOOTER_BASELINE + 12.0);
    let generated = &packet.generated;
    let made = text::encode(&format!(
        "Generated {} by {} at {} · RMA Station",
        generated.at.format("%Y-%m-%d %H:%M:%S UTC"),
        generated.operator,
        generated.station
    ));
    show(content, Face::Regular, SMALL_SIZE, GREY, MARGIN, FOOTER_BASELINE, &made.bytes);
    let page = text::encode(&format!("page {number} of {total}"));
    let page_x = PAGE_WIDTH - MARGIN - text::width(Face::Regular, &page.bytes, SMALL_SIZE);
    show(content, Face::Regular, SMALL_SIZE, GREY, page_x, FOOTER_BASELINE, &page.bytes);
    if replaced || left.replaced || right.replaced || made.replaced {
        let note =
            text::encode("Characters the PDF's built-in font cannot show are written as their codes, e.g. [U+0141].");
        show(content, Face::Regular, SMALL_SIZE, GREY, MARGIN, FOOTER_BASELINE - 11.0, &note.bytes);
    }
}

fn pdf_date(at: chrono::DateTime<chrono::Utc>) -> Date {
    use chrono::{Datelike, Timelike};
    let small = |n: u32| u8::try_from(n).unwrap_or(0);
    Date::new(u16::try_from(at.year()).unwrap_or(0))
        .month(small(at.month()))
        .day(small(at.day()))
        .hour(small(at.hour()))
        .minute(small(at.minute()))
        .second(small(at.second()))
        .utc_offset_hour(0)
}
