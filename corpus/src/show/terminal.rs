//! A [`Sample`] for a terminal: per tokenizer a heading and the text with each token on its
//! own background colour (ANSI 256-colour codes), or with `|` between tokens when colour is
//! off.

use std::fmt::Write;

use super::{Sample, View};

/// Background colours (xterm 256-colour indices) taken in turn by consecutive tokens: light
/// enough for black text, far enough apart to tell neighbours.
const BACKGROUNDS: [u8; 6] = [153, 186, 151, 224, 189, 223];

/// What [`render`] shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TerminalOptions {
    /// ANSI colours; off: `|` between tokens.
    pub colour: bool,
    /// A line of token IDs after each text, grouped and coloured as the text.
    pub ids: bool,
}

/// `samples` as text for a terminal, a blank line between them.
pub fn render_all(samples: &[Sample], options: TerminalOptions) -> String {
    let shown: Vec<String> = samples
        .iter()
        .map(|sample| render(sample, options))
        .collect();
    shown.join("\n")
}

/// `sample` as text for a terminal.
pub fn render(sample: &Sample, options: TerminalOptions) -> String {
    let mut out = String::new();
    let chars = sample.text.chars().count();
    let shortened = if sample.is_shortened() {
        format!(", the first {chars} of {} chars", sample.total_chars)
    } else {
        String::new()
    };
    let _ = writeln!(out, "== {}{shortened}", sample.name);
    for view in &sample.views {
        let note = if view.decodes_to(&sample.text) {
            ""
        } else {
            " (shown as it decodes: the tokenizer changed the text)"
        };
        let _ = writeln!(
            out,
            "-- {}: {} tokens, {:.2} chars/token{note}",
            view.tokenizer,
            view.ids.len(),
            view.chars_per_token()
        );
        render_text(&mut out, view, options.colour);
        if options.ids {
            render_ids(&mut out, view, options.colour);
        }
    }
    out
}

/// The decoded text of `view`, token by token, ending with a newline.
fn render_text(out: &mut String, view: &View, colour: bool) {
    let decoded = &view.decoded;
    for (n, segment) in decoded.segments.iter().enumerate() {
        let text = &decoded.text[segment.text.clone()];
        // A token that adds nothing to the text shows its piece (dimmed in colour).
        let pieces = || view.pieces[segment.tokens.clone()].concat();
        if !colour {
            if n > 0 {
                out.push('|');
            }
            if text.is_empty() {
                out.push_str(&pieces());
            } else {
                out.push_str(text);
            }
            continue;
        }
        if text.is_empty() {
            let _ = write!(out, "\x1b[2;3m{}\x1b[0m", visible(&pieces()));
            continue;
        }
        // Several tokens for one char: underlined.
        let underline = if segment.tokens.len() > 1 { ";4" } else { "" };
        let style = format!(
            "\x1b[30;48;5;{}{underline}m",
            BACKGROUNDS[n % BACKGROUNDS.len()]
        );
        // A newline ends the colour first (no colour runs to the edge of the terminal) and is
        // shown as ↵ so a token at the end of a line stays visible.
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                let _ = writeln!(out, "{style}↵\x1b[0m");
            }
            if !line.is_empty() {
                let _ = write!(out, "{style}{}\x1b[0m", visible(line));
            }
        }
    }
    if !decoded.text.ends_with('\n') {
        out.push('\n');
    }
}

/// `line` with its control characters but tabs shown as Control Pictures (a carriage return or
/// an escape sequence in the text must not move the cursor or restyle the terminal).
fn visible(line: &str) -> String {
    line.chars()
        .map(|c| match c {
            '\x7f' => '\u{2421}',
            c if c.is_ascii_control() && c != '\t' => {
                char::from_u32(0x2400 + u32::from(c)).unwrap_or('\u{FFFD}')
            }
            c => c,
        })
        .collect()
}

/// The IDs of `view`, grouped by segment: coloured as the text, or `|` between segments.
fn render_ids(out: &mut String, view: &View, colour: bool) {
    let groups = view
        .decoded
        .segments
        .iter()
        .enumerate()
        .map(|(n, segment)| {
            let ids: Vec<String> = view.ids[segment.tokens.clone()]
                .iter()
                .map(u32::to_string)
                .collect();
            (n, ids.join(" "))
        });
    for (n, ids) in groups {
        if colour {
            let background = BACKGROUNDS[n % BACKGROUNDS.len()];
            let _ = write!(out, "\x1b[30;48;5;{background}m{ids}\x1b[0m ");
        } else {
            if n > 0 {
                out.push_str(" | ");
            }
            out.push_str(&ids);
        }
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use omnitok_tokenizer::get_encoding;

    fn sample(text: &str) -> Sample {
        let tokenizer = get_encoding("cl100k_base").expect("built in");
        Sample::new(
            "t.txt",
            text,
            100,
            &[("cl100k_base".to_string(), &*tokenizer)],
        )
        .expect("encodes")
    }

    #[test]
    fn plain_text_marks_token_boundaries_with_bars() {
        let shown = render(
            &sample("Hello world"),
            TerminalOptions {
                colour: false,
                ids: true,
            },
        );
        assert_eq!(
            shown,
            "== t.txt\n-- cl100k_base: 2 tokens, 5.50 chars/token\nHello| world\n9906 | 1917\n"
        );
    }

    #[test]
    fn colours_alternate_and_stop_before_each_newline() {
        let shown = render(
            &sample("Hi\nyou"),
            TerminalOptions {
                colour: true,
                ids: false,
            },
        );
        assert!(shown.contains("\x1b[30;48;5;153mHi\x1b[0m"));
        assert!(shown.contains("↵\x1b[0m\n"));
        // Every colour is closed on the line it opened.
        for line in shown.lines() {
            assert_eq!(
                line.matches("\x1b[30").count(),
                line.matches("\x1b[0m").count()
            );
        }
    }

    #[test]
    fn control_characters_cannot_reach_the_terminal_in_colour() {
        assert_eq!(visible("a\r\x1b[2Jb\tc"), "a\u{240D}\u{241B}[2Jb\tc");
        let shown = render(
            &sample("x\x1b[31m\r\n"),
            TerminalOptions {
                colour: true,
                ids: false,
            },
        );
        assert!(
            !shown.contains("\x1b[31m") && !shown.contains('\r'),
            "{shown:?}"
        );
    }

    #[test]
    fn shortened_samples_say_so() {
        let text = "a".repeat(150);
        let shown = render(
            &sample(&text),
            TerminalOptions {
                colour: false,
                ids: false,
            },
        );
        assert!(shown.starts_with("== t.txt, the first 100 of 150 chars\n"));
    }
}
