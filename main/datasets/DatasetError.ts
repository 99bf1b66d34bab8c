/**
 * A dataset problem, on one line naming the file at fault and the problem, e.g.
 * `/data/Task03/labelsTr/liver_7.nii.gz: label values 3 not in the dataset's labels (0 background, 1 liver, 2 tumour)`.
 * The CLI prints the message as-is; `--skip-bad` turns these into a list of skipped cases instead.
 */
export class DatasetError extends Error {
  readonly file: string;
  readonly reason: string;

  constructor(file: string, reason: string) {
    const r = reason.replace(/\s*\n\s*/g, ' ').trim();
    super(`${file}: ${r}`);
    this.name = 'DatasetError';
    this.file = file;
    this.reason = r;
  }
}
