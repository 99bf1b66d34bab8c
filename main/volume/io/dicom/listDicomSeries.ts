import type { SeriesInfo, SeriesListing } from '../../../../common/api/types';
import { scanDicomFolder, type DicomSeriesSummary } from './scanDicomFolder';
import { hasGeometry, sliceRefsOf, toStackSlices } from './sliceRefs';
import { isOrthogonalStack, planStack } from './stackGeometry';

/**
 * The image series of a DICOM folder (headers only), largest first and numbered from 1, with what
 * loading each one would correct or refuse: the listing behind the app's series chooser and
 * `med3d info --series N`. Pixel data is not read, so the warnings are the geometric ones.
 */
export async function listDicomSeries(folder: string): Promise<SeriesListing> {
  const scan = await scanDicomFolder(folder);
  return {
    path: folder,
    series: scan.series.map((s, n) => seriesInfo(s, n + 1)),
    skippedFiles: scan.skipped.length,
  };
}

function seriesInfo(s: DicomSeriesSummary, index: number): SeriesInfo {
  return {
    index,
    key: s.key,
    seriesInstanceUID: s.seriesInstanceUID,
    description: s.description,
    seriesDescription: s.seriesDescription ?? null,
    seriesNumber: s.seriesNumber ?? null,
    modality: s.modality ?? null,
    dims: [s.columns, s.rows, s.imageCount],
    fileCount: s.fileCount,
    warnings: headerWarnings(s),
  };
}

/** The stack checks loadDicom makes, run on header facts; a stack that cannot load says why. */
function headerWarnings(s: DicomSeriesSummary): string[] {
  const refs = sliceRefsOf(s.entries);
  const withGeo = refs.filter(hasGeometry);
  if (withGeo.length === 0) return refs.length > 1 ? ['no ImagePositionPatient/ImageOrientationPatient: frames are not a spatial volume'] : [];
  const out: string[] = [];
  if (withGeo.length < refs.length) out.push(`${refs.length - withGeo.length} of ${refs.length} images have no spatial position and would be left out`);
  if (withGeo.length === 1) return [...out, 'single image'];
  try {
    const plan = planStack(toStackSlices(withGeo));
    out.push(...plan.warnings);
    if (!isOrthogonalStack(plan, plan.inplaneSpacing)) out.push(`sheared stack (gantry tilt ${plan.shearAngleDeg.toFixed(2)}°): would be resampled onto an orthogonal grid`);
    if (!plan.uniform) out.push('non-uniform slice spacing: would be resampled');
  } catch (e) {
    out.push(`cannot be loaded as a volume: ${e instanceof Error ? e.message : String(e)}`);
  }
  return out;
}
