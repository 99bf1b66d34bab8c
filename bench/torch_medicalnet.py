#!/usr/bin/python3
"""PyTorch reference run for bench/engine.bench.ts (one process per run, prints one JSON line).

MedicalNet 3D-ResNet (Chen, Ma, Zheng 2019; architecture as in MedicalNet's models/resnet.py:
conv1 7^3 s2 p3 -> BN -> ReLU -> maxpool 3 s2 p1 -> layer1..4 with layer2 stride 2, layer3
dilation 2, layer4 dilation 4 -> conv_seg head ConvT k2 s2 -> BN -> ReLU -> conv 3^3 -> BN ->
ReLU -> conv 1^3), written here from the paper / fixtures README so the benchmark needs no
MedicalNet checkout. Same workload as bench/engineRun.ts: first training step, warm training
steps (forward + cross-entropy + backward + Adam), warm eval inference, peak RSS.

  /usr/bin/python3 bench/torch_medicalnet.py --depth 10 --size 56,112,112 --steps 3 --infer 3 --threads 2
"""
import argparse
import json
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv3x3(cin, cout, stride=1, dilation=1):
    return nn.Conv3d(cin, cout, 3, stride=stride, padding=dilation, dilation=dilation, bias=False)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, cin, planes, stride=1, dilation=1, downsample=None):
        super().__init__()
        self.conv1 = conv3x3(cin, planes, stride, dilation)
        self.bn1 = nn.BatchNorm3d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes, dilation=dilation)
        self.bn2 = nn.BatchNorm3d(planes)
        self.downsample = downsample

    def forward(self, x):
        res = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + res)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin, planes, stride=1, dilation=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv3d(cin, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm3d(planes)
        self.conv2 = nn.Conv3d(planes, planes, 3, stride=stride, padding=dilation, dilation=dilation, bias=False)
        self.bn2 = nn.BatchNorm3d(planes)
        self.conv3 = nn.Conv3d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm3d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        res = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + res)


class ShortcutA(nn.Module):
    """Shortcut A: every stride-th voxel, zero channels appended."""

    def __init__(self, cout, stride):
        super().__init__()
        self.cout, self.stride = cout, stride

    def forward(self, x):
        out = F.avg_pool3d(x, kernel_size=1, stride=self.stride)
        pad = torch.zeros(out.size(0), self.cout - out.size(1), *out.shape[2:], dtype=out.dtype)
        return torch.cat([out, pad], dim=1)


LAYERS = {10: (BasicBlock, [1, 1, 1, 1]), 18: (BasicBlock, [2, 2, 2, 2]), 34: (BasicBlock, [3, 4, 6, 3]),
          50: (Bottleneck, [3, 4, 6, 3]), 101: (Bottleneck, [3, 4, 23, 3]), 152: (Bottleneck, [3, 8, 36, 3]),
          200: (Bottleneck, [3, 24, 36, 3])}


class MedicalNet(nn.Module):
    def __init__(self, depth, width=64, shortcut='B', classes=2):
        super().__init__()
        block, layers = LAYERS[depth]
        self.inplanes = width
        self.shortcut = shortcut
        self.conv1 = nn.Conv3d(1, width, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm3d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool3d(3, stride=2, padding=1)
        self.layer1 = self._make(block, width, layers[0])
        self.layer2 = self._make(block, width * 2, layers[1], stride=2)
        self.layer3 = self._make(block, width * 4, layers[2], dilation=2)
        self.layer4 = self._make(block, width * 8, layers[3], dilation=4)
        self.conv_seg = nn.Sequential(
            nn.ConvTranspose3d(width * 8 * block.expansion, 32, 2, stride=2),
            nn.BatchNorm3d(32), nn.ReLU(inplace=True),
            nn.Conv3d(32, 32, 3, padding=1, bias=False),
            nn.BatchNorm3d(32), nn.ReLU(inplace=True),
            nn.Conv3d(32, classes, 1, bias=False))

    def _make(self, block, planes, blocks, stride=1, dilation=1):
        down = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            if self.shortcut == 'A':
                down = ShortcutA(planes * block.expansion, stride)
            else:
                down = nn.Sequential(nn.Conv3d(self.inplanes, planes * block.expansion, 1, stride=stride, bias=False),
                                     nn.BatchNorm3d(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, dilation, down)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes, dilation=dilation) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.conv_seg(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--depth', type=int, default=10)
    ap.add_argument('--size', default='56,112,112')
    ap.add_argument('--steps', type=int, default=3)
    ap.add_argument('--infer', type=int, default=3)
    ap.add_argument('--threads', type=int, default=0)
    ap.add_argument('--width', type=int, default=64)
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    size = [int(v) for v in a.size.split(',')]
    shortcut = 'A' if a.depth in (18, 34) else 'B'
    model = MedicalNet(a.depth, a.width, shortcut)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(1, 1, *size)
    labels = None

    def step():
        nonlocal labels
        model.train()
        opt.zero_grad(set_to_none=True)
        logits = model(x)
        if labels is None:
            labels = (torch.rand(logits.shape[0], *logits.shape[2:]) > 0.5).long()
        loss = F.cross_entropy(logits, labels)
        loss.backward()
        opt.step()
        return float(loss)

    t = time.perf_counter()
    first_loss = step()
    first = (time.perf_counter() - t) * 1000
    steps = []
    for _ in range(a.steps):
        t = time.perf_counter()
        step()
        steps.append((time.perf_counter() - t) * 1000)
    model.eval()
    infer = []
    with torch.no_grad():
        for _ in range(a.infer):
            t = time.perf_counter()
            model(x)
            infer.append((time.perf_counter() - t) * 1000)
    print(json.dumps({
        'engine': 'pytorch', 'version': torch.__version__, 'threads': torch.get_num_threads(), 'depth': a.depth,
        'size': size, 'firstStepMs': first, 'stepMs': steps, 'inferMs': infer,
        'peakRssMiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'firstLoss': first_loss,
    }))


if __name__ == '__main__':
    main()
