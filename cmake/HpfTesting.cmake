# hpf_add_gtest(NAME LABEL SOURCES... LIBS ...): one GoogleTest executable whose tests carry a ctest label.
function(hpf_add_gtest name label)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main)
  hpf_target_warnings(${name})
  gtest_discover_tests(${name}
    # One variable per ENVIRONMENT entry: gtest_discover_tests splits a ;-list into separate properties.
    PROPERTIES LABELS ${label}
               ENVIRONMENT "HPF_TEST_PYTHON=${HPF_TEST_PYTHON}"
               ENVIRONMENT_MODIFICATION "HPF_TEST_TOOLS=set:${PROJECT_SOURCE_DIR}/tests/tools"
    DISCOVERY_TIMEOUT 60)
endfunction()

# Debian's python3-torchvision belongs to /usr/bin/python3, which need not be the first python3 on PATH.
set(HPF_TEST_PYTHON "/usr/bin/python3" CACHE FILEPATH "Python interpreter with torch and torchvision for parity tests")
