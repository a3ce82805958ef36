# tests/fuzz.cmake: the libFuzzer targets, tests/fuzz/fuzz_<name>.c (issue 17).
#
# In every build each target is also linked with tests/fuzz/replay.c and
# registered as the test fuzz_<name>_corpus, which runs it once over each
# input in tests/fuzz/<name>/: the seed corpus and the inputs of findings
# since fixed. So the plain and the sanitizer suites replay them all.
#
# With -DLAB_FUZZ=ON (clang; scripts/fuzz.sh makes that build) each is
# built as fuzz_<name>, a libFuzzer binary, instead.
set(FUZZ_SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)
set(FUZZ_WEIGHTS_FILE ${PROJECT_SOURCE_DIR}/model/weights/minigpt-verbs.bin)

function(fuzz_target name)
  set(src ${FUZZ_SOURCES}/fuzz_${name}.c)
  if(LAB_FUZZ)
    set(exe fuzz_${name})
    add_executable(${exe} ${src})
    target_link_options(${exe} PRIVATE -fsanitize=fuzzer)
  else()
    set(exe fuzz_${name}_replay)
    add_executable(${exe} ${src} ${FUZZ_SOURCES}/replay.c)
    target_link_libraries(${exe} PRIVATE lab_common) # hs_read_file
    add_test(NAME fuzz_${name}_corpus COMMAND ${exe} ${FUZZ_SOURCES}/${name})
    set_tests_properties(fuzz_${name}_corpus PROPERTIES TIMEOUT 300 LABELS fuzz)
  endif()
  target_link_libraries(${exe} PRIVATE ${ARGN})
  target_compile_definitions(${exe} PRIVATE FUZZ_WEIGHTS="${FUZZ_WEIGHTS_FILE}"
    FUZZ_FALLBACK_LAB="${PROJECT_SOURCE_DIR}/harness/labs/lab01.json")
  set_target_properties(${exe} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
endfunction()

fuzz_target(http miniserve_core)
fuzz_target(correct miniserve_core)
fuzz_target(lab harness_core)
fuzz_target(readers harness_core)
