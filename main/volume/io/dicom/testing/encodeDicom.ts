import { dcmjs, type NaturalDataset } from '../../seg/dcmjsApi';

/**
 * A DICOM Part 10 file (preamble, file meta group, data set) for a naturalized data set, written by
 * dcmjs: an independent writer, so our reader is not checked against itself.
 */
export function encodeDicom(ds: NaturalDataset, transferSyntaxUID = '1.2.840.10008.1.2.1'): Uint8Array {
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: ds.SOPClassUID,
    MediaStorageSOPInstanceUID: ds.SOPInstanceUID,
    TransferSyntaxUID: transferSyntaxUID,
    ImplementationClassUID: '1.2.826.0.1.3680043.8.498.3',
  };
  const dict = new dcmjs.data.DicomDict(dcmjs.data.DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(ds);
  return new Uint8Array(dict.write());
}
