/** A coded concept (DICOM Code Sequence item). */
export interface Code {
  CodeValue: string;
  CodingSchemeDesignator: string;
  CodeMeaning: string;
}

/** SNOMED-CT codes for the structures our tasks segment (CID 7150/7151), keyed by lower-case label. */
const KNOWN: Record<string, { category: Code; type: Code }> = {
  liver: { category: sct('123037004', 'Anatomical Structure'), type: sct('10200004', 'Liver') },
  lung: { category: sct('123037004', 'Anatomical Structure'), type: sct('39607008', 'Lung') },
  'left lung': { category: sct('123037004', 'Anatomical Structure'), type: sct('44029006', 'Left lung') },
  'right lung': { category: sct('123037004', 'Anatomical Structure'), type: sct('3341006', 'Right lung') },
  nodule: { category: sct('49755003', 'Morphologically Altered Structure'), type: sct('27925004', 'Nodule') },
  tumor: { category: sct('49755003', 'Morphologically Altered Structure'), type: sct('108369006', 'Neoplasm') },
  tumour: { category: sct('49755003', 'Morphologically Altered Structure'), type: sct('108369006', 'Neoplasm') },
  lesion: { category: sct('49755003', 'Morphologically Altered Structure'), type: sct('52988006', 'Lesion') },
};

function sct(value: string, meaning: string): Code {
  return { CodeValue: value, CodingSchemeDesignator: 'SCT', CodeMeaning: meaning };
}

/** Category and type codes for a segment label; unknown labels get the generic "Tissue" codes. */
export function codesForLabel(label: string): { category: Code; type: Code } {
  return KNOWN[label.trim().toLowerCase()] ?? { category: sct('85756007', 'Tissue'), type: sct('85756007', 'Tissue') };
}
