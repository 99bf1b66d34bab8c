#!/usr/bin/python3
"""Parity check of our writers against the Python reference readers (Debian python3-nibabel / python3-pydicom).

Usage: /usr/bin/python3 scripts/parity-io.py SPEC.json

SPEC.json (written by test/volume/parityIo.test.ts) lists files we wrote and what they must contain:
  {"nifti": [{"file", "shape", "dtype", "affine" (4x4 RAS+), "data" (voxels, i fastest)}],
   "seg":   [{"file", "dims", "affine" (4x4 RAS+), "labels" (voxels, i fastest), "segments" [{"value", "label"}],
              "study_uid", "series_uid" (referenced source series), "frame_of_reference_uid"}]}
Prints one JSON object {"ok": bool, "checks": [...], "versions": {...}} and exits 1 on any mismatch.
Reference tools are used only here, never by the app at runtime.
"""
import json
import sys

import numpy as np
import nibabel as nib
import pydicom

checks = []


def check(name, ok, detail=""):
    checks.append({"check": name, "ok": bool(ok), "detail": detail})


def nifti_checks(spec):
    img = nib.load(spec["file"])
    name = spec["file"].split("/")[-1]
    data = np.asanyarray(img.dataobj)
    check(f"{name}: shape", list(img.shape) == spec["shape"], f"{list(img.shape)} vs {spec['shape']}")
    check(f"{name}: dtype", str(img.get_data_dtype()) == spec["dtype"], f"{img.get_data_dtype()} vs {spec['dtype']}")
    want_aff = np.array(spec["affine"], dtype=np.float64)
    d_aff = float(np.max(np.abs(img.affine - want_aff)))
    check(f"{name}: affine (sform)", d_aff < 1e-4, f"max |diff| {d_aff:.2e}")
    qform, qcode = img.get_qform(coded=True)
    d_q = float(np.max(np.abs(qform - want_aff))) if qform is not None else float("inf")
    check(f"{name}: qform encodes the same affine", qcode > 0 and d_q < 1e-4, f"code {qcode}, max |diff| {d_q:.2e}")
    want = np.array(spec["data"], dtype=np.float64).reshape(spec["shape"], order="F")
    d_data = float(np.max(np.abs(data.astype(np.float64) - want))) if data.size else 0.0
    check(f"{name}: voxels", d_data == 0.0, f"max |diff| {d_data}")


def seg_checks(spec):
    ds = pydicom.dcmread(spec["file"])
    name = spec["file"].split("/")[-1]
    check(f"{name}: SOP class", ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.66.4", ds.SOPClassUID)
    check(f"{name}: BINARY 1-bit", ds.SegmentationType == "BINARY" and ds.BitsAllocated == 1)
    labels = [s.SegmentLabel for s in ds.SegmentSequence]
    check(f"{name}: segment labels", labels == [s["label"] for s in spec["segments"]], str(labels))
    if spec.get("study_uid"):
        check(f"{name}: StudyInstanceUID", ds.StudyInstanceUID == spec["study_uid"])
    if spec.get("frame_of_reference_uid"):
        check(f"{name}: FrameOfReferenceUID", ds.FrameOfReferenceUID == spec["frame_of_reference_uid"])
    if spec.get("series_uid"):
        refs = [s.SeriesInstanceUID for s in ds.get("ReferencedSeriesSequence", [])]
        check(f"{name}: references the source series", spec["series_uid"] in refs, str(refs))
    dims = spec["dims"]
    want = np.array(spec["labels"]).reshape(dims, order="F")
    ras = np.array(spec["affine"], dtype=np.float64)
    lps = np.diag([-1.0, -1.0, 1.0, 1.0]) @ ras
    to_index = np.linalg.inv(lps)
    pixels = ds.pixel_array
    if pixels.ndim == 2:
        pixels = pixels[None]
    got = np.zeros(dims, dtype=np.int64)
    sh = ds.SharedFunctionalGroupsSequence[0]
    iop = [float(x) for x in sh.PlaneOrientationSequence[0].ImageOrientationPatient]
    row_sp, col_sp = [float(x) for x in sh.PixelMeasuresSequence[0].PixelSpacing]
    bad_geometry = 0
    for f, fg in enumerate(ds.PerFrameFunctionalGroupsSequence):
        seg = int(fg.SegmentIdentificationSequence[0].ReferencedSegmentNumber)
        value = spec["segments"][seg - 1]["value"]
        ipp = np.array([float(x) for x in fg.PlanePositionSequence[0].ImagePositionPatient] + [1.0])
        ijk = to_index @ ipp
        k = int(round(ijk[2]))
        if abs(ijk[0]) > 1e-3 or abs(ijk[1]) > 1e-3 or abs(ijk[2] - k) > 1e-3:
            bad_geometry += 1
            continue
        # pixel_array[f][row][col] = voxel (i=col, j=row, k); check the in-plane axes once
        got[:, :, k][pixels[f].T.astype(bool)] = value
    row_dir = np.array(iop[:3]) * col_sp
    col_dir = np.array(iop[3:]) * row_sp
    d_axes = float(max(np.max(np.abs(lps[:3, 0] - row_dir)), np.max(np.abs(lps[:3, 1] - col_dir))))
    check(f"{name}: frame positions on the label grid", bad_geometry == 0, f"{bad_geometry} frame(s) off-grid")
    check(f"{name}: orientation and pixel spacing", d_axes < 1e-4, f"max |diff| {d_axes:.2e}")
    check(f"{name}: voxels (pydicom pixel_array)", np.array_equal(got, want), f"{int(np.sum(got != want))} voxel(s) differ")


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    with open(sys.argv[1]) as fh:
        spec = json.load(fh)
    for s in spec.get("nifti", []):
        try:
            nifti_checks(s)
        except Exception as e:  # report, do not crash: the caller wants every check
            check(f"{s['file']}: nibabel load", False, repr(e))
    for s in spec.get("seg", []):
        try:
            seg_checks(s)
        except Exception as e:
            check(f"{s['file']}: pydicom load", False, repr(e))
    ok = all(c["ok"] for c in checks) and len(checks) > 0
    print(json.dumps({"ok": ok, "checks": checks, "versions": {"nibabel": nib.__version__, "pydicom": pydicom.__version__, "numpy": np.__version__}}))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
