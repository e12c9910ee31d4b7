# The HPF_FUZZ_ONLY build: the parser libraries that read untrusted files and their fuzz targets. Included
# from the top-level CMakeLists.txt instead of the full project, so LibTorch, OpenBLAS and the GUI are never
# looked for.
find_package(Qt6 REQUIRED COMPONENTS Core)
find_package(QuaZip-Qt6 REQUIRED)
find_package(OpenCV REQUIRED COMPONENTS core imgproc imgcodecs)
find_package(PkgConfig REQUIRED)
pkg_check_modules(MATIO REQUIRED IMPORTED_TARGET matio)
find_package(LibArchive REQUIRED)

enable_testing()
add_subdirectory(core/checkpoint)
add_subdirectory(datasets)
add_subdirectory(tests/fuzz)
