#!/usr/bin/env python3
"""Parity check for `med3d weights export`: does PyTorch, given our exported .pth, compute the
fixture's expected outputs?

Builds MedicalNet's 3D ResNet (github.com/Tencent/MedicalNet models/resnet.py, re-typed here so
no MedicalNet checkout is needed) from a fixture case's model description, loads the exported
state dict *strictly* (after stripping 'module.'), runs the case input in eval mode and compares
logits / features with the expected files under the manifest's tolerances.

    /usr/bin/python3 scripts/parity-pth-export.py EXPORTED.pth --case d10_B_w8 [MORE.pth --case ...] [--fixtures DIR]

Several files can be checked in one run (one --case per file, same order; torch is imported once).
Exit 0 on parity, 1 on a mismatch, 2 on usage errors. Prints one JSON line per file.
"""
import argparse
import json
import os
import sys
from functools import partial

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def conv3x3x3(i, o, stride=1, dilation=1):
    return nn.Conv3d(i, o, kernel_size=3, dilation=dilation, stride=stride, padding=dilation, bias=False)


def downsample_basic_block(x, planes, stride):
    out = F.avg_pool3d(x, kernel_size=1, stride=stride)
    zero = torch.zeros(out.size(0), planes - out.size(1), *out.shape[2:], dtype=out.dtype)
    return torch.cat([out, zero], dim=1)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, dilation=1, downsample=None):
        super().__init__()
        self.conv1 = conv3x3x3(inplanes, planes, stride=stride, dilation=dilation)
        self.bn1 = nn.BatchNorm3d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3x3(planes, planes, dilation=dilation)
        self.bn2 = nn.BatchNorm3d(planes)
        self.downsample = downsample

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        res = self.downsample(x) if self.downsample is not None else x
        return self.relu(out + res)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, dilation=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv3d(inplanes, planes, kernel_size=1, bias=False)
        self.bn1 = nn.BatchNorm3d(planes)
        self.conv2 = nn.Conv3d(planes, planes, kernel_size=3, stride=stride, dilation=dilation, padding=dilation, bias=False)
        self.bn2 = nn.BatchNorm3d(planes)
        self.conv3 = nn.Conv3d(planes, planes * 4, kernel_size=1, bias=False)
        self.bn3 = nn.BatchNorm3d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        res = self.downsample(x) if self.downsample is not None else x
        return self.relu(out + res)


LAYERS = {10: (BasicBlock, [1, 1, 1, 1]), 18: (BasicBlock, [2, 2, 2, 2]), 34: (BasicBlock, [3, 4, 6, 3]),
          50: (Bottleneck, [3, 4, 6, 3]), 101: (Bottleneck, [3, 4, 23, 3]), 152: (Bottleneck, [3, 8, 36, 3]),
          200: (Bottleneck, [3, 24, 36, 3])}


class ResNet(nn.Module):
    def __init__(self, depth, shortcut, width, in_channels, classes, hidden, with_head=True):
        super().__init__()
        block, layers = LAYERS[depth]
        self.inplanes = width
        self.conv1 = nn.Conv3d(in_channels, width, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm3d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool3d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, width, layers[0], shortcut)
        self.layer2 = self._make_layer(block, 2 * width, layers[1], shortcut, stride=2)
        self.layer3 = self._make_layer(block, 4 * width, layers[2], shortcut, dilation=2)
        self.layer4 = self._make_layer(block, 8 * width, layers[3], shortcut, dilation=4)
        if with_head:
            self.conv_seg = nn.Sequential(
                nn.ConvTranspose3d(8 * width * block.expansion, hidden, 2, stride=2),
                nn.BatchNorm3d(hidden), nn.ReLU(inplace=True),
                nn.Conv3d(hidden, hidden, kernel_size=3, padding=1, bias=False),
                nn.BatchNorm3d(hidden), nn.ReLU(inplace=True),
                nn.Conv3d(hidden, classes, kernel_size=1, bias=False))
        else:
            self.conv_seg = None

    def _make_layer(self, block, planes, blocks, shortcut, stride=1, dilation=1):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            if shortcut == 'A':
                downsample = partial(downsample_basic_block, planes=planes * block.expansion, stride=stride)
            else:
                downsample = nn.Sequential(nn.Conv3d(self.inplanes, planes * block.expansion, kernel_size=1, stride=stride, bias=False),
                                           nn.BatchNorm3d(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride=stride, dilation=dilation, downsample=downsample)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes, dilation=dilation) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        f = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return f, (self.conv_seg(f) if self.conv_seg is not None else None)


def check(pth, case, fixtures):
    m = case['model']
    encoder_only = case['kind'] == 'encoder'
    net = ResNet(m['depth'], m['shortcut'], m['base_width'], m['in_channels'], m['num_seg_classes'], m['seg_mid_channels'], not encoder_only)
    ck = torch.load(pth, map_location='cpu')
    sd = ck['state_dict'] if 'state_dict' in ck else ck
    sd = {k[len('module.'):] if k.startswith('module.') else k: v for k, v in sd.items()}
    net.load_state_dict(sd, strict=True)
    net.eval()
    inp = case['input']
    x = torch.from_numpy(np.fromfile(os.path.join(fixtures, inp['file']), dtype='<f4').reshape(inp['shape']))
    with torch.no_grad():
        feats, logits = net(x)
    report = {'ok': True, 'case': case['name'], 'file': pth}
    for name, got in (('features', feats), ('logits', logits)):
        exp = case.get('expected', {}).get(name)
        if exp is None or got is None:
            continue
        ref = np.fromfile(os.path.join(fixtures, exp['file']), dtype='<f4').reshape(exp['shape'])
        tol = case['tolerance'][name]
        diff = np.abs(got.numpy() - ref)
        ok = bool(np.all(diff <= tol['max_abs_diff'] + tol['max_rel_diff'] * np.abs(ref)))
        report[name] = {'max_abs_diff': float(diff.max()), 'within_tolerance': ok}
        report['ok'] = report['ok'] and ok
    return report


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('pth', nargs='+')
    ap.add_argument('--case', action='append', required=True)
    ap.add_argument('--fixtures', default=os.path.join(os.path.dirname(__file__), '..', '..', 'shared', 'fixtures', 'medicalnet'))
    a = ap.parse_intermixed_args()
    if len(a.case) != len(a.pth):
        print(json.dumps({'ok': False, 'error': 'give one --case per file'}))
        return 2
    manifest = json.load(open(os.path.join(a.fixtures, 'manifest.json')))
    cases = {c['name']: c for c in manifest['cases']}
    all_ok = True
    for pth, name in zip(a.pth, a.case):
        if name not in cases:
            print(json.dumps({'ok': False, 'error': f'unknown case {name}'}))
            return 2
        report = check(pth, cases[name], a.fixtures)
        print(json.dumps(report))
        all_ok = all_ok and report['ok']
    return 0 if all_ok else 1


if __name__ == '__main__':
    sys.exit(main())
