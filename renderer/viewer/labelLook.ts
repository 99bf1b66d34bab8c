import type { Types } from '@cornerstonejs/core';
import { segmentation, Enums as ToolEnums } from '@cornerstonejs/tools';
import type { LabelLook } from './footprintPixels';
import { opacityOnScreen } from './opacityOnScreen';

interface VtkVolumeActor {
  getMapper(): { getSampleDistance?: () => number } | null;
  getProperty(): { getScalarOpacityUnitDistance?: (component: number) => number };
}

/**
 * A view's labelmap look read back from cornerstone's segmentation configuration (colour LUT,
 * hidden segments, fill and outline style), so that a preview drawn outside cornerstone matches
 * its render: fill opacity = the colour's alpha × fillAlpha, as cornerstone's labelmap actor style
 * sets it, then corrected as vtk.js's opacity transfer function does (opacityOnScreen); the
 * outline opacity as it is.
 */
export function labelLook(viewport: Types.IVolumeViewport, segmentationId: string): LabelLook {
  const viewportId = viewport.id;
  const type = ToolEnums.SegmentationRepresentations.Labelmap;
  const style = segmentation.config.style.getStyle({ type, viewportId, segmentationId });
  const hidden = segmentation.config.visibility.getHiddenSegmentIndices(viewportId, { segmentationId, type });
  const exponent = opacityExponent(viewport, segmentationId);
  const fillAlpha = style.renderFill === false ? 0 : (style.fillAlpha ?? 0.5);
  const outline = style.renderOutline !== false;
  const fill = new Uint8Array(256 * 4);
  const outlineOn = new Uint8Array(256);
  for (let v = 1; v < 256; v++) {
    const c = segmentation.config.color.getSegmentIndexColor(viewportId, segmentationId, v);
    if (!c || hidden.has(v)) continue;
    fill.set([c[0], c[1], c[2], Math.round(255 * opacityOnScreen(((c[3] ?? 255) / 255) * fillAlpha, exponent))], 4 * v);
    outlineOn[v] = outline ? 1 : 0;
  }
  // The outline's opacity is the shader's own (vtkVolumeFS getColorForLabelOutline), not a transfer function: no correction.
  return { fill, outlineOn, outlineAlpha: style.outlineOpacity ?? 1 };
}

/** Sample distance / opacity unit distance of the view's labelmap actor (1 when it cannot be read). */
function opacityExponent(viewport: Types.IVolumeViewport, segmentationId: string): number {
  const entries = viewport.getActors() as Array<{ actor: unknown; representationUID?: string }>;
  const entry = entries.find((e) => e.representationUID?.startsWith(segmentationId));
  const actor = entry?.actor as VtkVolumeActor | undefined;
  const distance = actor?.getMapper?.()?.getSampleDistance?.();
  const unit = actor?.getProperty?.()?.getScalarOpacityUnitDistance?.(0) ?? 1;
  return distance && unit > 0 ? distance / unit : 1;
}
