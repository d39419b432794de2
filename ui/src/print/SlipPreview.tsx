// A printed document drawn as its paper: what core read back from the printer's own bytes (`Preview`), so a
// shop without a printer sees what would print. A white strip `columns` characters wide in a monospace CJK
// font (a Hanzi takes two columns, as on the printer), each line with its alignment, bold and double size,
// the QR code core drew, and a dashed line where the paper is cut. Layout only: every word is core's.
import type { JSX } from "preact";
import type { Preview, PreviewLine } from "../bindings";
import { useT } from "../i18n";
import "./print.css";

/** Core's SVG of a QR code as an image (never inserted as markup). */
function svgImage(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

function Line({ line }: { line: PreviewLine }): JSX.Element {
  const t = useT();
  switch (line.kind) {
    case "text": {
      const cls = ["slip-line", `slip-${line.align}`, line.bold ? "slip-bold" : "", line.double ? "slip-double" : ""].join(" ");
      return (
        <div class={cls} data-testid="slip-line">
          {line.text}
        </div>
      );
    }
    case "qr":
      return (
        <div class="slip-qr">
          <img src={svgImage(line.svg)} alt={line.payload} title={line.payload} data-testid="slip-qr" />
        </div>
      );
    case "cut":
      return (
        <div class="slip-cut" role="separator" aria-label={t("print.cut")} title={t("print.cut")} data-testid="slip-cut">
          <span aria-hidden="true">✂</span>
        </div>
      );
  }
}

/** The paper of `preview`; `narrow` paper (58 mm) draws its QR code smaller, as the printer does. */
export function SlipPaper({ preview, testid = "slip-paper" }: { preview: Preview; testid?: string }): JSX.Element {
  return (
    <div class="slip-roll">
      <div
        class={`slip-paper ${preview.columns <= 32 ? "slip-narrow" : ""}`}
        // The columns and 2 of margin each side; the pixel is slack for the browser's rounding of a line
        // that fills every column (it would wrap where the printer does not).
        style={{ width: `calc(${preview.columns}ch + 4ch + 1px)` }}
        data-testid={testid}
        data-columns={preview.columns}
      >
        {preview.lines.map((l, i) => (
          <Line key={i} line={l} />
        ))}
      </div>
    </div>
  );
}
