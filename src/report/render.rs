//! A report as text: the self-contained HTML page (inline SVG charts, a data table under
//! each, print and phone styles) and the Markdown twin, from the `Report` the run, sweep
//! or batch reader built. Nothing here reads a file or computes a number.
use std::fmt::Write as _;

use super::{CHARTS_DIR, Chart, Report, TextTable, escape};

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;line-height:1.5;color:#1a1a1a}h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ccc}figure{margin:1.5rem 0;break-inside:avoid}svg{width:100%;height:auto;display:block}figcaption{font-size:.9rem;color:#444}table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0;display:block;overflow-x:auto}th,td{border:1px solid #ccc;padding:.2rem .4rem;text-align:right}th:first-child,td:first-child{text-align:left}.methods{background:#f4f6f8;border-left:4px solid #0072b2;padding:.5rem 1rem}.subtitle{color:#444}.meta{color:#555;font-size:.9rem}.brief{background:#fff8e6;border-left:4px solid #e69f00;padding:.2rem 1rem;margin-top:1rem}.brief h2{border:none;margin-top:.5rem}.note{font-size:.85rem;color:#444}dt{font-weight:600;margin-top:.4rem}dd{margin-left:1rem}@media (max-width:600px){h1{font-size:1.25rem}.subtitle{font-size:.85rem}.meta{font-size:.8rem}}@media print{figure details,.appendix{display:none}body{max-width:none;font-size:10pt}figure{margin:.6rem 0}h2{margin-top:1rem}}";

/// A chart as an HTML figure: the inline SVG (HTML needs no namespace; the .svg files
/// keep it), its caption and its data table.
fn html_figure(chart: &Chart) -> String {
    format!(
        "<figure id=\"{}\">{}<figcaption>{}</figcaption><details><summary>Data table: {}</summary>{}</details></figure>",
        chart.id,
        chart
            .svg
            .replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1),
        escape(&chart.caption),
        escape(&chart.title),
        html_table(&chart.header, &chart.rows)
    )
}

/// A chart in Markdown: its title, the image of its .svg file, caption and data table.
fn md_figure(chart: &Chart) -> String {
    format!(
        "\n### {}\n\n![{}]({CHARTS_DIR}/{}.svg)\n\n{}\n\n{}",
        chart.title,
        chart.title,
        chart.id,
        chart.caption,
        md_table(&chart.header, &chart.rows)
    )
}

/// A table with its title between `(open, close)`, then `end`.
fn titled_table(out: &mut String, (open, close): (&str, &str), end: &str, table: &TextTable) {
    let (title, header, rows) = table;
    let _ = write!(
        out,
        "{open}{}{close}{}{end}",
        escape(title),
        html_table(header, rows)
    );
}

fn html_table(header: &[String], rows: &[Vec<String>]) -> String {
    let mut out = String::from("<table><thead><tr>");
    for h in header {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", escape(cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

fn md_table(header: &[String], rows: &[Vec<String>]) -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut out = format!(
        "| {} |\n|",
        header
            .iter()
            .map(|h| cell(h))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    out.push_str(&" --- |".repeat(header.len()));
    out.push('\n');
    for row in rows {
        let _ = writeln!(
            out,
            "| {} |",
            row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
        );
    }
    out
}

pub(super) fn html(report: &Report) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"><title>{}</title><style>{STYLE}</style></head><body><main><h1>{}</h1><p class=\"subtitle\">{}</p><p class=\"meta\">{}</p><section class=\"brief\" aria-labelledby=\"in-brief\"><h2 id=\"in-brief\">In brief</h2><ul>",
        escape(&report.title),
        escape(&report.title),
        escape(&report.subtitle),
        escape(&report.meta)
    );
    for sentence in &report.summary {
        let _ = write!(out, "<li>{}</li>", escape(sentence));
    }
    let _ = write!(
        out,
        "</ul><p class=\"note\">{}</p></section>",
        escape(&report.summary_note)
    );
    if !report.findings.is_empty() {
        out.push_str("<h2>Findings</h2><ul>");
        for f in &report.findings {
            let _ = write!(out, "<li>{}</li>", escape(f));
        }
        out.push_str("</ul>");
    }
    for table in &report.tables {
        titled_table(&mut out, ("<h2>", "</h2>"), "", table);
    }
    out.push_str("<h2>Charts</h2>");
    out.extend(report.charts.iter().map(html_figure));
    out.push_str("<h2 id=\"glossary\">Glossary</h2><dl class=\"glossary\">");
    for (term, meaning) in &report.glossary {
        let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", escape(term), escape(meaning));
    }
    out.push_str("</dl><h2 id=\"methods\">Methods in brief</h2><div class=\"methods\"><ul>");
    for m in &report.methods {
        let _ = write!(out, "<li>{}</li>", escape(m));
    }
    let _ = write!(out, "</ul><p>{CLOSING}</p></div>");
    if !report.appendix.is_empty() {
        out.push_str("<h2 id=\"appendix\">Appendix</h2>");
        for table in &report.appendix {
            titled_table(
                &mut out,
                ("<details class=\"appendix\"><summary>", "</summary>"),
                "</details>",
                table,
            );
        }
    }
    out.push_str("</main></body></html>\n");
    out
}

/// The methods' last word: where the numbers and the full method are.
const CLOSING: &str = "Every number above is read from this folder's tables (CSV and Parquet beside this file). The full method, every default's source and the limits are in docs/methodology.md of gridstrain.";

pub(super) fn markdown(report: &Report) -> String {
    let mut out = format!(
        "# {}\n\n{}\n\n{}\n\n## In brief\n\n",
        report.title, report.subtitle, report.meta
    );
    for sentence in &report.summary {
        let _ = writeln!(out, "- {sentence}");
    }
    let _ = writeln!(out, "\n{}", report.summary_note);
    if !report.findings.is_empty() {
        out.push_str("\n## Findings\n\n");
        for f in &report.findings {
            let _ = writeln!(out, "- {f}");
        }
    }
    for (title, header, rows) in &report.tables {
        let _ = write!(out, "\n## {title}\n\n{}", md_table(header, rows));
    }
    out.push_str("\n## Charts\n");
    out.extend(report.charts.iter().map(md_figure));
    out.push_str("\n## Glossary\n\n");
    for (term, meaning) in &report.glossary {
        let _ = writeln!(out, "- **{term}**: {meaning}");
    }
    out.push_str("\n## Methods in brief\n\n");
    for m in &report.methods {
        let _ = writeln!(out, "- {m}");
    }
    let _ = writeln!(out, "\n{CLOSING}");
    if !report.appendix.is_empty() {
        out.push_str("\n## Appendix\n");
        for (title, header, rows) in &report.appendix {
            let _ = write!(out, "\n### {title}\n\n{}", md_table(header, rows));
        }
    }
    out
}
