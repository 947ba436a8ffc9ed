# ekya_add_module(NAME SOURCES ... DEPS ...)
# One static library per module, named ekya_<NAME>, with src/ on the include path.
function(ekya_add_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(ekya_${name} STATIC ${ARG_SOURCES})
  target_include_directories(ekya_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(ekya_${name} PRIVATE -Wall -Wextra)
  target_link_libraries(ekya_${name} PUBLIC ${ARG_DEPS})
endfunction()

# ekya_add_test(NAME SOURCES ... DEPS ...)
# One GoogleTest binary per module, discovered by CTest. Tests run from the
# source root so that they find configs/ and the test data.
function(ekya_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  gtest_discover_tests(${name} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                       DISCOVERY_TIMEOUT 60
                       PROPERTIES ENVIRONMENT "OMP_NUM_THREADS=1")
endfunction()
