# tests/server.cmake: miniserve's tests. Integration tests start the real
# binary on port 0 (server_harness.c) and talk to it over loopback.
add_library(server_harness STATIC server_harness.c)
target_include_directories(server_harness PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(server_harness PUBLIC PkgConfig::CJSON)
# The tests pin the seeded initial weights rather than miniserve's default
# model, so they do not depend on which weights are the default.
target_compile_definitions(server_harness PUBLIC
  MINISERVE_BIN="$<TARGET_FILE:miniserve>"
  MINISERVE_TEST_WEIGHTS="${MINIGPT_INIT_WEIGHTS}")
add_dependencies(server_harness miniserve minigpt_weights)

# The block detector on a bare uv loop; its reports name this source tree.
lab_test(test_blockwatch blockwatch)
target_compile_definitions(test_blockwatch PRIVATE
  TEST_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# It pins busy threads to a core, and both it and test_server_blocking
# classify stretches by the loop thread's waits: run them alone.
set_tests_properties(test_blockwatch PROPERTIES TIMEOUT 120 LABELS server RUN_SERIAL ON)

# A unit test of the server's internals, linked with its library.
lab_test(test_server_metrics miniserve_core)
set_tests_properties(test_server_metrics PROPERTIES TIMEOUT 30 LABELS server)

foreach(t endpoints bad_input connections concurrency shutdown cli fuzz blocking toprocess)
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/test_server_${t}.c)
    lab_test(test_server_${t} server_harness)
    set_tests_properties(test_server_${t} PROPERTIES TIMEOUT 90 LABELS server)
  endif()
endforeach()
set_tests_properties(test_server_blocking PROPERTIES RUN_SERIAL ON)

# Seed 004's socket servers in C beside the seed's Python ones (issue 16).
add_test(NAME test_sockserve COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/test_sockserve.py
         $<TARGET_FILE:sockserve> ${PROJECT_SOURCE_DIR} $<TARGET_FILE:harness>)
set_tests_properties(test_sockserve PROPERTIES TIMEOUT 120)

# The block detector in a miniserve without debug information: one copy
# with its DWARF removed (the symbol table stays), one fully stripped.
set(MINISERVE_NODEBUG ${CMAKE_CURRENT_BINARY_DIR}/miniserve-nodebug)
set(MINISERVE_STRIPPED ${CMAKE_CURRENT_BINARY_DIR}/miniserve-stripped)
add_custom_command(OUTPUT ${MINISERVE_NODEBUG} ${MINISERVE_STRIPPED}
  COMMAND ${CMAKE_OBJCOPY} --strip-debug $<TARGET_FILE:miniserve> ${MINISERVE_NODEBUG}
  COMMAND ${CMAKE_STRIP} -o ${MINISERVE_STRIPPED} $<TARGET_FILE:miniserve>
  DEPENDS miniserve
  COMMENT "copies of miniserve without debug information")
add_custom_target(miniserve_nodebug_copies ALL DEPENDS ${MINISERVE_NODEBUG} ${MINISERVE_STRIPPED})
lab_test(test_server_nodebug server_harness)
add_dependencies(test_server_nodebug miniserve_nodebug_copies)
target_compile_definitions(test_server_nodebug PRIVATE
  MINISERVE_NODEBUG_BIN="${MINISERVE_NODEBUG}"
  MINISERVE_STRIPPED_BIN="${MINISERVE_STRIPPED}")
set_tests_properties(test_server_nodebug PROPERTIES TIMEOUT 60 LABELS server)

# Request-line and header edge cases, miniserve beside nginx-light (issue 17):
# the README's table, each row a request to both.
add_test(NAME test_http_edge_cases
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/test_http_edge_cases.py
                 $<TARGET_FILE:miniserve> ${PROJECT_SOURCE_DIR}/README.md)
set_tests_properties(test_http_edge_cases PROPERTIES TIMEOUT 120 LABELS server)
