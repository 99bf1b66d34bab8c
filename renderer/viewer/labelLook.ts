import { segmentation, Enums as ToolEnums } from '@cornerstonejs/tools';
import type { LabelLook } from './footprintPixels';

/**
 * A view's labelmap look read back from cornerstone's segmentation configuration (colour LUT,
 * hidden segments, fill and outline style), so that a preview drawn outside cornerstone uses the
 * same colours and opacities as its render: fill opacity = the colour's alpha × fillAlpha, as
 * cornerstone's labelmap actor style computes it.
 */
export function labelLook(viewportId: string, segmentationId: string): LabelLook {
  const type = ToolEnums.SegmentationRepresentations.Labelmap;
  const style = segmentation.config.style.getStyle({ type, viewportId, segmentationId });
  const hidden = segmentation.config.visibility.getHiddenSegmentIndices(viewportId, { segmentationId, type });
  const fillAlpha = style.renderFill === false ? 0 : (style.fillAlpha ?? 0.5);
  const outline = style.renderOutline !== false;
  const fill = new Uint8Array(256 * 4);
  const outlineOn = new Uint8Array(256);
  for (let v = 1; v < 256; v++) {
    const c = segmentation.config.color.getSegmentIndexColor(viewportId, segmentationId, v);
    if (!c || hidden.has(v)) continue;
    fill.set([c[0], c[1], c[2], Math.round((c[3] ?? 255) * fillAlpha)], 4 * v);
    outlineOn[v] = outline ? 1 : 0;
  }
  return { fill, outlineOn, outlineAlpha: style.outlineOpacity ?? 1 };
}
