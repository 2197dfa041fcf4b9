//! [`Sample`]s as one self-contained HTML page (or a fragment of one, for notebooks): a section
//! per sample, its tokenizers side by side, each token a coloured `<span>` whose title gives its
//! IDs and pieces and whose `data-ids` lists the IDs. No scripts, no outside files.

use std::fmt::Write;

use super::{Sample, View};

/// The style of a [`fragment`], every rule under its `omnitok-show` element (so a notebook
/// page around it keeps its own): token colours, columns side by side while they fit, text that
/// keeps its spaces and line breaks.
const STYLE: &str = "\
.omnitok-show{font-family:system-ui,sans-serif;color:#222;background:#fff}\
.omnitok-show h1{font-size:1.4em}.omnitok-show h2{font-size:1.15em;margin:1.6em 0 .3em}\
.omnitok-show h3{font-size:1em;margin:0}\
.omnitok-show .legend,.omnitok-show .about,.omnitok-show .stats,.omnitok-show .note\
{color:#555;font-size:.9em;margin:.2em 0}\
.omnitok-show .note{color:#8a4b00}\
.omnitok-show .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(22em,1fr));\
gap:1em}\
.omnitok-show .view{border:1px solid #ddd;border-radius:6px;padding:.6em;min-width:0}\
.omnitok-show .text{white-space:pre-wrap;overflow-wrap:anywhere;\
font-family:ui-monospace,monospace;font-size:.95em;line-height:1.7;margin-top:.5em}\
.omnitok-show .t{border-radius:3px}.omnitok-show .t:hover{outline:2px solid #333}\
.omnitok-show .c0{background:#cfe3ff}.omnitok-show .c1{background:#fff1a8}\
.omnitok-show .c2{background:#c9f2d0}.omnitok-show .c3{background:#ffd6e0}\
.omnitok-show .c4{background:#e3d9ff}.omnitok-show .c5{background:#ffe0c2}\
.omnitok-show .multi{text-decoration:underline dotted}\
.omnitok-show .empty{color:#999;font-style:italic}.omnitok-show .nl{color:#999}";

/// The number of token colours in [`STYLE`] (`c0` to `c5`).
const COLOURS: usize = 6;

/// `samples` as one HTML page, titled by their tokenizers: the [`fragment`] in a document.
pub fn render(samples: &[Sample]) -> String {
    let title = escape(&title(samples));
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title><style>body{{margin:1.5em}}</style></head><body>\n{}</body></html>\n",
        fragment(samples, &format!("<h1>{title}</h1>\n"))
    )
}

/// "Tokens under A, B": the tokenizers of the first sample (every sample has the same).
pub fn title(samples: &[Sample]) -> String {
    let names: Vec<&str> = samples
        .first()
        .map(|sample| sample.views.iter().map(|v| v.tokenizer.as_str()).collect())
        .unwrap_or_default();
    format!("Tokens under {}", names.join(", "))
}

/// `samples` as one `<div class="omnitok-show">` with its own style, for a page of its own or
/// a notebook's output; `heading` is HTML put first inside it.
pub fn fragment(samples: &[Sample], heading: &str) -> String {
    let mut html = String::with_capacity(
        samples
            .iter()
            .map(|s| s.text.len() * s.views.len() * 8)
            .sum::<usize>()
            + 4096,
    );
    let _ = writeln!(
        html,
        "<div class=\"omnitok-show\"><style>{STYLE}</style>{heading}\
         <p class=\"legend\">One colour per token (hover for its ID and piece). \
         Underlined: several tokens spell one character. \
         <span class=\"empty\">Grey</span>: a token that adds no text. \
         <span class=\"nl\">↵</span>: a line break.</p>"
    );
    for sample in samples {
        render_sample(&mut html, sample);
    }
    html.push_str("</div>\n");
    html
}

/// One sample: its heading and a column per tokenizer.
fn render_sample(page: &mut String, sample: &Sample) {
    let chars = sample.text.chars().count();
    let _ = write!(
        page,
        "<section><h2>{}</h2>\n<p class=\"about\">{chars} chars",
        escape(&sample.name)
    );
    if sample.is_shortened() {
        let _ = write!(page, ", the first of {}", sample.total_chars);
    }
    page.push_str("</p>\n<div class=\"grid\">\n");
    let first_tokens = sample.views.first().map_or(0, |v| v.ids.len());
    for (n, view) in sample.views.iter().enumerate() {
        let decodes_to_input = view.decodes_to(&sample.text);
        let _ = write!(
            page,
            "<div class=\"view\" data-tokenizer=\"{}\" data-tokens=\"{}\" \
             data-decodes-to-input=\"{decodes_to_input}\"><h3>{}</h3>\
             <p class=\"stats\">{} tokens · {:.2} chars/token",
            escape(&view.tokenizer),
            view.ids.len(),
            escape(&view.tokenizer),
            view.ids.len(),
            view.chars_per_token(),
        );
        if n > 0 && first_tokens > 0 {
            let ratio = view.ids.len() as f64 / first_tokens as f64;
            let _ = write!(
                page,
                " · {ratio:.2}× {}",
                escape(&sample.views[0].tokenizer)
            );
        }
        page.push_str("</p>");
        if !decodes_to_input {
            page.push_str(
                "<p class=\"note\">Shown as this tokenizer decodes it: its normalizer or \
                 pre-tokenizer changed the text.</p>",
            );
        }
        page.push_str("<div class=\"text\">");
        render_tokens(page, view);
        page.push_str("</div></div>\n");
    }
    page.push_str("</div></section>\n");
}

/// The spans of one view's decoded text.
fn render_tokens(page: &mut String, view: &View) {
    let decoded = &view.decoded;
    for (n, segment) in decoded.segments.iter().enumerate() {
        let ids = &view.ids[segment.tokens.clone()];
        let pieces = &view.pieces[segment.tokens.clone()];
        let mut title = String::new();
        for (id, piece) in ids.iter().zip(pieces) {
            if !title.is_empty() {
                title.push_str(" + ");
            }
            let _ = write!(title, "{id} {piece:?}");
        }
        let data_ids: Vec<String> = ids.iter().map(u32::to_string).collect();
        let data_ids = data_ids.join(" ");
        let text = &decoded.text[segment.text.clone()];
        if text.is_empty() {
            let _ = write!(
                page,
                "<span class=\"t empty\" data-ids=\"{data_ids}\" title=\"{}\">{}</span>",
                escape(&title),
                escape(&pieces.concat())
            );
            continue;
        }
        let multi = if ids.len() > 1 { " multi" } else { "" };
        let _ = write!(
            page,
            "<span class=\"t c{}{multi}\" data-ids=\"{data_ids}\" title=\"{}\">",
            n % COLOURS,
            escape(&title)
        );
        push_visible_text(page, text);
        page.push_str("</span>");
    }
}

/// `text` as element content that a browser shows with its control characters visible: a
/// line break after a `↵` mark, other controls (CR, form feed, ...) as a Control Pictures mark
/// followed by the character itself as a reference (so the page's text is still `text`; a NUL,
/// which HTML cannot hold, as its mark alone). Marks are in `nl` spans, outside the text.
fn push_visible_text(page: &mut String, text: &str) {
    let mut plain = String::new();
    for c in text.chars() {
        let control = c.is_ascii_control() && c != '\t';
        if !control {
            plain.push(c);
            continue;
        }
        page.push_str(&escape(&plain));
        plain.clear();
        match c {
            '\n' => page.push_str("<span class=\"nl\">↵</span>\n"),
            '\0' => page.push_str("<span class=\"nl\">\u{2400}</span>"),
            _ => {
                // U+2401 to U+241F picture the C0 controls; U+2421 pictures DEL.
                let picture = if c == '\x7f' {
                    '\u{2421}'
                } else {
                    char::from_u32(0x2400 + u32::from(c)).unwrap_or('\u{FFFD}')
                };
                let _ = write!(
                    page,
                    "<span class=\"nl\">{picture}</span>&#{};",
                    u32::from(c)
                );
            }
        }
    }
    page.push_str(&escape(&plain));
}

/// `text` with the characters that HTML gives a meaning escaped, for element text and quoted
/// attribute values.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use omnitok_tokenizer::get_encoding;

    #[test]
    fn control_characters_get_a_visible_mark_and_stay_in_the_text() {
        let mut page = String::new();
        push_visible_text(&mut page, "a\r\nb\x0c<\0");
        assert_eq!(
            page,
            "a<span class=\"nl\">\u{240D}</span>&#13;<span class=\"nl\">↵</span>\nb\
             <span class=\"nl\">\u{240C}</span>&#12;&lt;<span class=\"nl\">\u{2400}</span>"
        );
    }

    #[test]
    fn markup_in_the_text_is_escaped() {
        assert_eq!(
            escape("<b> & \"x\" 'y'"),
            "&lt;b&gt; &amp; &quot;x&quot; &#39;y&#39;"
        );
    }

    #[test]
    fn a_page_has_a_column_per_tokenizer_and_a_span_per_segment() {
        let o200k = get_encoding("o200k_base").expect("built in");
        let cl100k = get_encoding("cl100k_base").expect("built in");
        let tokenizers = [
            ("o200k_base".to_string(), &*o200k),
            ("<cl100k>".to_string(), &*cl100k),
        ];
        let sample = Sample::new("x.txt", "a <b>\nc", 100, &tokenizers).expect("encodes");
        let page = render(std::slice::from_ref(&sample));
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.contains("<title>Tokens under o200k_base, &lt;cl100k&gt;</title>"));
        assert!(page.contains("data-tokenizer=\"&lt;cl100k&gt;\""));
        assert_eq!(page.matches("<div class=\"view\"").count(), 2);
        let spans = sample
            .views
            .iter()
            .map(|v| v.decoded.segments.len())
            .sum::<usize>();
        assert_eq!(page.matches("<span class=\"t ").count(), spans);
        assert!(!page.contains("<b>"));
        assert!(!page.contains("<script"));
    }
}
