{
  # oneDNN N-API addon: the fast CPU path of the Med3D engine (see native/README.md).
  # Portable flags only (x86-64-v2): oneDNN itself dispatches AVX2/AVX-512 at run time,
  # so the binary may be copied to other x86-64 CPUs.
  "targets": [
    {
      "target_name": "med3d_onednn",
      "sources": [
        "src/addon.cc",
        "src/conv.cc",
        "src/batchnorm.cc",
        "src/pool.cc",
        "src/adam.cc",
        "src/elementwise.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions", "-O2", "-O3"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++20", "-O2"],
      "cflags": ["-O3", "-fopenmp"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-fopenmp", "-march=x86-64-v2", "-mtune=generic"],
      "libraries": ["-ldnnl", "-fopenmp"],
      "conditions": [
        ["target_arch!='x64'", { "cflags_cc!": ["-march=x86-64-v2"] }]
      ]
    }
  ]
}
