#!/usr/bin/python3
"""PyTorch peer of bench/kernelRun.ts: times the same kernel cases (bench/kernelCases.ts, passed as
JSON) with torch's own CPU kernels and prints one JSON line. Shapes arrive NDHWC and are run NCDHW.

  /usr/bin/python3 bench/torch_kernels.py --cases '[{"name":"conv fwd","x":[1,8,16,16,16],"co":16,"flops":1,"label":""}]' --threads 2
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F


def ncdhw(shape):
    n, d, h, w, c = shape
    return [n, c, d, h, w]


def prepare(case):
    name = case["name"]
    if name == "adam":
        p = torch.randn(case["x"])
        g = torch.randn(case["x"])
        m = torch.zeros_like(p)
        v = torch.ones_like(p)
        opt_state = {"step": 3}

        def adam():
            # torch.optim.Adam's update, written out so one call is exactly one step on one tensor.
            b1, b2, lr, eps = 0.9, 0.999, 1e-3, 1e-8
            m.mul_(b1).add_(g, alpha=1 - b1)
            v.mul_(b2).addcmul_(g, g, value=1 - b2)
            bc1 = 1 - b1 ** opt_state["step"]
            bc2 = 1 - b2 ** opt_state["step"]
            p.addcdiv_(m, (v / bc2).sqrt_().add_(eps), value=-lr / bc1)

        return adam
    x = torch.randn(ncdhw(case["x"]))
    c = x.shape[1]
    co = case.get("co") or c
    w = torch.randn(co, c, 3, 3, 3) * 0.05
    dy = torch.randn(x.shape[0], co, *x.shape[2:])
    gamma, beta = torch.ones(c), torch.zeros(c)
    if name == "conv fwd":
        return lambda: F.conv3d(x, w, padding=1)
    if name == "conv bwd-data":
        return lambda: torch.nn.grad.conv3d_input(x.shape, w, dy, padding=1)
    if name == "conv bwd-filter":
        return lambda: torch.nn.grad.conv3d_weight(x, w.shape, dy, padding=1)
    if name == "bn train fwd":
        return lambda: F.relu(F.batch_norm(x, None, None, gamma, beta, training=True, eps=1e-5))
    if name == "bn bwd":
        xr = x.clone().requires_grad_(True)
        y = F.batch_norm(xr, None, None, gamma, beta, training=True, eps=1e-5)
        return lambda: torch.autograd.grad(y, xr, dy[:, :c], retain_graph=True)
    if name == "maxpool fwd":
        return lambda: F.max_pool3d(x, 3, stride=2, padding=1)
    raise SystemExit(f"unknown kernel case {name}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", required=True)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    out = []
    for case in json.loads(a.cases):
        call = prepare(case)
        t = time.perf_counter()
        call()
        first = (time.perf_counter() - t) * 1000
        ms = []
        for _ in range(a.repeats):
            t = time.perf_counter()
            call()
            ms.append((time.perf_counter() - t) * 1000)
        med = sorted(ms)[len(ms) // 2]
        out.append({"name": case["name"], "label": case["label"], "ms": med, "gflops": case["flops"] / med / 1e6, "firstMs": first})
    print(json.dumps({"engine": "pytorch", "version": torch.__version__, "threads": torch.get_num_threads(), "kernels": out}))


if __name__ == "__main__":
    main()
