//! A [`Report`] as a chart: horizontal grouped bars, one group per language, one bar per
//! tokenizer, each bar labelled with its value. PNG or SVG by the file's extension.
//!
//! Text is drawn with DejaVu Sans (Latin subset) embedded in the binary; see `fonts/README.md`.

use std::ops::Range;
use std::path::Path;
use std::sync::OnceLock;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontStyle;

use super::Report;
use crate::error::{CorpusError, Result};

/// DejaVu Sans, cut down to Latin letters and common punctuation.
static FONT: &[u8] = include_bytes!("fonts/DejaVuSans-Latin.ttf");

/// The font family every text of the chart uses (also plotters' default family).
const FAMILY: &str = "sans-serif";

/// Bar colours, one per tokenizer in order (Tableau 10).
const COLORS: [RGBColor; 10] = [
    RGBColor(0x4e, 0x79, 0xa7),
    RGBColor(0xf2, 0x8e, 0x2b),
    RGBColor(0x59, 0xa1, 0x4f),
    RGBColor(0xe1, 0x57, 0x59),
    RGBColor(0x76, 0xb7, 0xb2),
    RGBColor(0xed, 0xc9, 0x48),
    RGBColor(0xb0, 0x7a, 0xa1),
    RGBColor(0xff, 0x9d, 0xa7),
    RGBColor(0x9c, 0x75, 0x5f),
    RGBColor(0xba, 0xb0, 0xac),
];

/// What the bars show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PlotMetric {
    /// Tokens of each language under each tokenizer.
    #[default]
    Tokens,
    /// Tokens over the baseline tokenizer's tokens.
    Ratio,
    /// Tokens over the tokens of the same content in the reference language.
    Premium,
}

/// What to draw and how.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlotOptions {
    /// The figure on the bars.
    pub metric: PlotMetric,
    /// The chart's title; `None` for one that says what the bars show.
    pub title: Option<String>,
}

/// Draws `report` into `path`, a `.png` or `.svg` file.
pub fn plot(report: &Report, path: &Path, options: &PlotOptions) -> Result<()> {
    let name = path.display().to_string();
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if options.metric == PlotMetric::Premium && report.reference.is_none() {
        return Err(CorpusError::BadParameter(
            "a chart of premiums needs parallel texts and a reference language".into(),
        ));
    }
    if report.languages.is_empty() {
        return Err(CorpusError::BadParameter("no languages to draw".into()));
    }
    // The drawing backends report a missing folder only as their own debug text.
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !folder.is_dir() {
            return Err(CorpusError::io(
                &name,
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!("cannot write: there is no folder {}", folder.display()),
                ),
            ));
        }
    }
    register_font().map_err(|message| CorpusError::Plot {
        path: name.clone(),
        message,
    })?;
    let size = chart_size(report, options.metric);
    let drawn = match extension.as_deref() {
        Some("png") => draw(
            BitMapBackend::new(path, size).into_drawing_area(),
            report,
            options,
        ),
        Some("svg") => draw(
            SVGBackend::new(path, size).into_drawing_area(),
            report,
            options,
        ),
        _ => {
            return Err(CorpusError::Unsupported {
                path: name,
                message: "a chart is written as .png or .svg".into(),
            })
        }
    };
    drawn.map_err(|message| CorpusError::Plot {
        path: name,
        message,
    })
}

/// Registers the embedded font once per process.
fn register_font() -> std::result::Result<(), String> {
    static REGISTERED: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            for style in [FontStyle::Normal, FontStyle::Bold] {
                plotters::style::register_font(FAMILY, style, FONT)
                    .map_err(|_| "the embedded font cannot be read".to_string())?;
            }
            Ok(())
        })
        .clone()
}

/// The tokenizers that get bars. Against the baseline, the baseline's own bars would all be 1:
/// the line at 1 stands for them, unless there is nothing else to draw.
fn drawn_tokenizers(report: &Report, metric: PlotMetric) -> Vec<usize> {
    let k = report.tokenizers.len();
    (0..k)
        .filter(|&t| metric != PlotMetric::Ratio || t != report.baseline || k == 1)
        .collect()
}

/// Wide enough for long value labels; tall enough for every bar.
fn chart_size(report: &Report, metric: PlotMetric) -> (u32, u32) {
    let bars = report.languages.len() * drawn_tokenizers(report, metric).len();
    let gaps = report.languages.len();
    let height = 130 + 17 * bars + 12 * gaps;
    (1000, height.clamp(360, 20_000) as u32)
}

/// The languages axis: language `i` centred on `i`, the first at the top.
struct LanguageAxis {
    n: usize,
}

impl Ranged for LanguageAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.n as f64;
        let share = (value + 0.5) / span;
        // limit.0 is the bottom of the plot, limit.1 the top: the first language goes on top.
        limit.1 + ((limit.0 - limit.1) as f64 * share).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        let max = hint.max_num_points().max(1);
        let step = self.n.div_ceil(max).max(1);
        (0..self.n).step_by(step).map(|i| i as f64).collect()
    }

    fn range(&self) -> Range<f64> {
        -0.5..self.n as f64 - 0.5
    }
}

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    report: &Report,
    options: &PlotOptions,
) -> std::result::Result<(), String> {
    let error = |e: &dyn std::fmt::Display| e.to_string();
    root.fill(&WHITE).map_err(|e| error(&e))?;
    let n = report.languages.len();
    let k = report.tokenizers.len();
    let value = |lang: usize, t: usize| -> Option<f64> {
        let l = &report.languages[lang];
        match options.metric {
            PlotMetric::Tokens => Some(l.tokens[t] as f64),
            PlotMetric::Ratio => l.ratio_vs(t, report.baseline),
            PlotMetric::Premium => l.premium(t),
        }
    };
    let max = (0..n)
        .flat_map(|l| (0..k).filter_map(move |t| value(l, t)))
        .fold(0.0f64, f64::max);
    // Room on the right for the value labels and the legend.
    let x_max = if max > 0.0 { max * 1.25 } else { 1.0 };
    // The legend goes in the right-hand corner whose rows have the shorter bars.
    let row_max = |rows: &mut dyn Iterator<Item = usize>| {
        rows.flat_map(|l| (0..k).filter_map(move |t| value(l, t)))
            .fold(0.0f64, f64::max)
    };
    let legend_at = if row_max(&mut (0..n.min(2))) < row_max(&mut (n.saturating_sub(2)..n)) {
        SeriesLabelPosition::UpperRight
    } else {
        SeriesLabelPosition::LowerRight
    };
    let x_label = |x: &f64| match options.metric {
        PlotMetric::Tokens => format!("{x:.0}"),
        PlotMetric::Ratio | PlotMetric::Premium => format!("{x:.1}"),
    };
    let baseline = report.baseline_name();
    let reference = report.reference.as_deref().unwrap_or("the reference");
    let (default_title, x_desc) = match options.metric {
        PlotMetric::Tokens => ("Tokens per language".to_string(), "tokens".to_string()),
        PlotMetric::Ratio => (
            format!("Tokens per language, relative to {baseline}"),
            format!("tokens / {baseline} tokens (1 = as many as {baseline})"),
        ),
        PlotMetric::Premium => (
            format!("Token premium over {reference}"),
            format!("tokens / tokens of the same text in {reference}"),
        ),
    };
    let title = options.title.clone().unwrap_or(default_title);
    let label = |v: f64| match options.metric {
        PlotMetric::Tokens => format!("{v:.0}"),
        PlotMetric::Ratio | PlotMetric::Premium => format!("{v:.2}x"),
    };
    let names: Vec<&str> = report.languages.iter().map(|l| l.lang.as_str()).collect();
    let y_label = |y: &f64| {
        let i = y.round();
        if (y - i).abs() < 1e-6 && i >= 0.0 {
            names
                .get(i as usize)
                .map_or(String::new(), |s| s.to_string())
        } else {
            String::new()
        }
    };

    let mut chart = ChartBuilder::on(&root)
        .caption(&title, (FAMILY, 24).into_font())
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(90)
        .build_cartesian_2d(0.0..x_max, LanguageAxis { n })
        .map_err(|e| error(&e))?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n)
        .y_label_formatter(&y_label)
        .x_label_formatter(&x_label)
        .x_desc(x_desc)
        .y_desc("language")
        .label_style((FAMILY, 15))
        .axis_desc_style((FAMILY, 16))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(|e| error(&e))?;

    if options.metric != PlotMetric::Tokens {
        // The line where a tokenizer needs as many tokens as the baseline (or reference).
        chart
            .draw_series(LineSeries::new(
                [(1.0, -0.5), (1.0, n as f64 - 0.5)],
                BLACK.mix(0.4).stroke_width(1),
            ))
            .map_err(|e| error(&e))?;
    }

    let drawn = drawn_tokenizers(report, options.metric);
    // Each language's group fills 80% of its row; the i-th drawn tokenizer gets the i-th slice.
    let slot = 0.8 / drawn.len() as f64;
    for (i, &t) in drawn.iter().enumerate() {
        let name = &report.tokenizers[t];
        let color = COLORS[t % COLORS.len()];
        let top = |lang: usize| lang as f64 - 0.4 + i as f64 * slot;
        let bars = (0..n).filter_map(|lang| {
            let v = value(lang, t)?;
            Some(Rectangle::new(
                [(0.0, top(lang) + slot * 0.08), (v, top(lang) + slot * 0.92)],
                color.filled(),
            ))
        });
        chart
            .draw_series(bars)
            .map_err(|e| error(&e))?
            .label(name.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], color.filled()));
        let text_color = BLACK.mix(0.8);
        let text_style = TextStyle::from((FAMILY, 13).into_font())
            .color(&text_color)
            .pos(Pos::new(HPos::Left, VPos::Center));
        let labels = (0..n).filter_map(|lang| {
            let v = value(lang, t)?;
            let at = (v, top(lang) + slot / 2.0);
            Some(EmptyElement::at(at) + Text::new(label(v), (4, 0), text_style.clone()))
        });
        chart.draw_series(labels).map_err(|e| error(&e))?;
    }
    chart
        .configure_series_labels()
        .position(legend_at)
        .label_font((FAMILY, 15))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.5))
        .draw()
        .map_err(|e| error(&e))?;
    root.present().map_err(|e| error(&e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::LanguageStats;

    fn report() -> Report {
        Report {
            tokenizers: vec!["cl100k_base".into(), "o200k_base".into()],
            baseline: 1,
            reference: None,
            languages: ["gu", "hi", "en"]
                .iter()
                .zip([(145, 33), (90, 31), (27, 24)])
                .map(|(lang, (a, b))| LanguageStats {
                    lang: lang.to_string(),
                    bytes: 100,
                    chars: 50,
                    tokens: vec![a, b],
                    reference_tokens: None,
                })
                .collect(),
        }
    }

    fn temp(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("omnitok-plot-{}-{name}", std::process::id()))
    }

    #[test]
    fn svg_has_title_labels_and_legend() {
        let path = temp("chart.svg");
        let options = PlotOptions {
            metric: PlotMetric::Ratio,
            title: None,
        };
        plot(&report(), &path, &options).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        // The SVG backend writes each text on a line of its own.
        for text in [
            "Tokens per language, relative to o200k_base",
            "tokens / o200k_base tokens (1 = as many as o200k_base)",
            "language",
            "gu",
            "hi",
            "en",
            "cl100k_base",
            "4.39x",
            "1.12x",
        ] {
            assert!(
                svg.contains(&format!("\n{text}\n</text>")),
                "{text} missing from the chart"
            );
        }
        // The baseline's bars (all 1) are left out of a chart of ratios, and so from its legend.
        assert!(!svg.contains("\n1.00x\n</text>"));
        assert!(!svg.contains("\no200k_base\n</text>"));
    }

    #[test]
    fn png_is_written() {
        let path = temp("chart.png");
        plot(&report(), &path, &PlotOptions::default()).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!(bytes.len() > 2000);
    }

    #[test]
    fn unknown_extension_and_missing_reference_are_errors() {
        let e = plot(&report(), Path::new("chart.gif"), &PlotOptions::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "chart.gif: unsupported: a chart is written as .png or .svg"
        );
        let premium = PlotOptions {
            metric: PlotMetric::Premium,
            title: None,
        };
        let e = plot(&report(), Path::new("chart.png"), &premium).unwrap_err();
        assert!(e.to_string().contains("needs parallel texts"), "{e}");
        let dir = temp("no-such-dir").join("chart.png");
        let e = plot(&report(), &dir, &PlotOptions::default()).unwrap_err();
        assert!(
            e.to_string().starts_with(&format!(
                "{}: cannot write: there is no folder",
                dir.display()
            )),
            "{e}"
        );
    }

    #[test]
    fn language_axis_puts_the_first_language_on_top() {
        let axis = LanguageAxis { n: 4 };
        // Pixel rows grow downwards: limit (bottom, top) = (400, 0).
        assert!(axis.map(&0.0, (400, 0)) < axis.map(&3.0, (400, 0)));
        assert_eq!(axis.map(&-0.5, (400, 0)), 0);
        assert_eq!(axis.map(&3.5, (400, 0)), 400);
        assert_eq!(axis.key_points(10usize), [0.0, 1.0, 2.0, 3.0]);
        assert_eq!(axis.key_points(2usize), [0.0, 2.0]);
    }
}
