# libFuzzer builds (clang only). HPF_FUZZ instruments the whole build for coverage-guided fuzzing with
# AddressSanitizer + UndefinedBehaviorSanitizer and adds the fuzz targets (tests/fuzz). HPF_FUZZ_ONLY builds
# nothing but the parser libraries and their fuzz targets, without LibTorch, so CI can fuzz in minutes.
option(HPF_FUZZ "Build the libFuzzer targets for the parsers of untrusted input (clang only)" OFF)
option(HPF_FUZZ_ONLY "Build only the parser libraries and their fuzz targets (implies HPF_FUZZ; no LibTorch)" OFF)
if(HPF_FUZZ_ONLY)
  set(HPF_FUZZ ON)
endif()

if(HPF_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "HPF_FUZZ needs clang (libFuzzer); configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  # fuzzer-no-link: coverage instrumentation everywhere; only the fuzz targets link libFuzzer's main().
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=address,undefined)
endif()
