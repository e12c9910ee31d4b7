#pragma once
// Hot CPU loops are compiled three times, for x86-64-v4 (AVX-512), x86-64-v3 (AVX2 + FMA; "arch=haswell"
// would dispatch on the exact CPU model, not on features) and for the baseline; the loader picks one at run
// time (ifunc), so packages stay portable while machines that have AVX2 use it. Sanitizer builds use the
// baseline only (ifunc resolvers run before the sanitizer runtime is ready).

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HPF_NO_SIMD_CLONES
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define HPF_NO_SIMD_CLONES
#endif

#if defined(__x86_64__) && defined(__GNUC__) && !defined(HPF_NO_SIMD_CLONES)
#define HPF_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define HPF_SIMD_CLONES
#endif
