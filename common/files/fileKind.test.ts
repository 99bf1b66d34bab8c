import { describe, expect, it } from 'vitest';
import { fileKindOf, isNiftiFileName, isNiftiOutputName, isNiftiVolumeName, stripNiftiExtension } from './fileKind';

describe('fileKind', () => {
  it.each([
    ['ct.nii', 'nifti'],
    ['CT.NII.GZ', 'nifti'],
    ['pair.hdr', 'nifti'],
    ['pair.img.gz', 'nifti'],
    ['IM0001.dcm', 'dicom'],
    ['DICOMDIR', 'dicom'],
    ['resnet_10.pth', 'weights'],
    ['model.pth.tar', 'weights'],
    ['lung-v2.m3d', 'checkpoint'],
    ['notes.gz', 'other'],
    ['nii', 'other'],
  ] as const)('%s is %s', (name, kind) => expect(fileKindOf(name)).toBe(kind));

  it('a pair is opened by its .hdr, written as .nii(.gz), named without the extension', () => {
    expect(['a.nii', 'a.nii.gz', 'a.hdr', 'a.hdr.gz', 'a.img', 'a.img.gz'].map(isNiftiVolumeName)).toEqual([true, true, true, true, false, false]);
    expect(['a.nii', 'a.nii.gz', 'a.hdr', 'a.img'].map(isNiftiOutputName)).toEqual([true, true, false, false]);
    expect(isNiftiFileName('a.img')).toBe(true);
    expect(['case01.nii.gz', 'case01.hdr', 'scan.img.gz', 'case.nii.bak', 'ct'].map(stripNiftiExtension)).toEqual(['case01', 'case01', 'scan', 'case.nii.bak', 'ct']);
  });
});
