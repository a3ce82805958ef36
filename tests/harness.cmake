# Tests of harness/ (and plots/, manifest/ through it).
# What the end-to-end tests share: running a command, reading its JSON.
add_library(harness_test_cmd STATIC harness_cmd.c)
target_include_directories(harness_test_cmd PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(harness_test_cmd PUBLIC PkgConfig::CJSON)
lab_test(test_harness_stats harness_core)
# A repeated run's facts, verdicts and warnings on hand-made repeats.
lab_test(test_harness_repeat harness_core)
set_tests_properties(test_harness_repeat PROPERTIES LABELS harness)
lab_test(test_harness_lab harness_core)
lab_test(test_harness_blocks harness_core)
# The rules of "What happened, and why" on hand-made facts.
lab_test(test_harness_rules harness_core)
set_tests_properties(test_harness_rules PROPERTIES LABELS harness)
set_tests_properties(test_harness_blocks PROPERTIES LABELS harness)
target_compile_definitions(test_harness_lab PRIVATE
  LAB01_FILE="${PROJECT_SOURCE_DIR}/harness/labs/lab01.json"
  LABS_DIR="${PROJECT_SOURCE_DIR}/harness/labs")

# /proc and cgroup readings (harness/evidence/procfs.c): parsers on canned text, then
# a live process tree, CPUs and TCP counters of this machine.
lab_test(test_harness_procfs harness_core)
set_tests_properties(test_harness_procfs PROPERTIES LABELS harness)

# End to end against the real miniserve: the harness finds it in its own
# folder ({bin}), as a user's run does.
lab_test(test_harness_run harness_test_cmd PkgConfig::CJSON)
target_compile_definitions(test_harness_run PRIVATE HARNESS_BIN="$<TARGET_FILE:harness>"
  MINISERVE_BIN="$<TARGET_FILE:miniserve>")
add_dependencies(test_harness_run harness miniserve)
set_tests_properties(test_harness_run PROPERTIES TIMEOUT 300 LABELS harness)

# The course's Python service (FastAPI + NumPy, Debian packages): its port of
# the model against the C one, and lab01-python through the harness.
add_test(NAME test_python_port COMMAND /usr/bin/python3
         ${CMAKE_CURRENT_SOURCE_DIR}/test_python_port.py $<TARGET_FILE:minigpt_cli>
         $<TARGET_FILE:harness> ${MINIGPT_TRAINED_WEIGHTS} ${MINIGPT_PROMPTS} ${PROJECT_SOURCE_DIR}
         ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(test_python_port PROPERTIES TIMEOUT 300 LABELS harness)

# Sweeps end to end: the harness over several points, and miniserve
# --workers 4 answering from 4 processes.
lab_test(test_harness_sweep harness_core harness_test_cmd PkgConfig::CJSON)
target_compile_definitions(test_harness_sweep PRIVATE HARNESS_BIN="$<TARGET_FILE:harness>"
  MINISERVE_BIN="$<TARGET_FILE:miniserve>" LABS_DIR="${PROJECT_SOURCE_DIR}/harness/labs"
  EXPERIMENTS_DIR="${PROJECT_SOURCE_DIR}/experiments")
add_dependencies(test_harness_sweep harness miniserve)
set_tests_properties(test_harness_sweep PROPERTIES TIMEOUT 300 LABELS harness)

# Comparisons across a server setting in real runs, from what miniserve
# reports in /healthz: a lab01-iodelay-shaped run with the stretch claim's
# checks, a sweep over io_delay_ms, and 1 and 2 workers.
lab_test(test_harness_settings_run harness_core harness_test_cmd PkgConfig::CJSON)
target_compile_definitions(test_harness_settings_run PRIVATE HARNESS_BIN="$<TARGET_FILE:harness>")
add_dependencies(test_harness_settings_run harness miniserve)
set_tests_properties(test_harness_settings_run PROPERTIES TIMEOUT 300 LABELS harness)

# facts.json end to end: three small Python servers (tests/servers/), each
# built to show one fact, run through their labs (tests/labs/); and check
# re-judging a folder from facts.json, or without it from its latencies.
lab_test(test_harness_facts harness_test_cmd PkgConfig::CJSON)
target_compile_definitions(test_harness_facts PRIVATE HARNESS_BIN="$<TARGET_FILE:harness>"
  SOURCE_DIR="${PROJECT_SOURCE_DIR}")
add_dependencies(test_harness_facts harness miniserve)
# Alone: its findings come from probe latencies, and another test's CPU load
# on the 2 cores moved async_tothread's probe to half its requests' latency,
# where blocked_loop fires (a fresh-clone CI run, once lab01 here sent
# enough requests for the probe to count; run alone it stayed at a third).
set_tests_properties(test_harness_facts PROPERTIES TIMEOUT 300 LABELS harness RUN_SERIAL ON)

# harness/'s layout: one folder per stage, one header each, includes only
# of earlier stages (scripts/check_layout.sh).
add_test(NAME harness_layout COMMAND ${PROJECT_SOURCE_DIR}/scripts/check_layout.sh)
set_tests_properties(harness_layout PROPERTIES LABELS harness)

# Every sentence of harness/report/words.md is said by some rule or table.
add_test(NAME harness_words COMMAND ${PROJECT_SOURCE_DIR}/scripts/check_words.sh)
set_tests_properties(harness_words PROPERTIES LABELS harness)

# The open loop (issue 14): its arrival schedules, then `harness load
# --rate` against a server that stalls once, a closed loop against the
# same, drops beyond --max-in-flight, and bad input.
lab_test(test_harness_schedule harness_core)
set_tests_properties(test_harness_schedule PROPERTIES LABELS harness)
add_test(NAME test_open_loop COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/test_open_loop.py
         $<TARGET_FILE:harness> ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(test_open_loop PROPERTIES TIMEOUT 120 LABELS harness)

# Repeated runs and comparisons (issue 15): --repeat on a Python server and
# on two miniserve variants, check's exit codes, compare's thresholds and
# refusals, a sweep of repeated points.
add_test(NAME test_repeat COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/test_repeat.py
         $<TARGET_FILE:harness> ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}
         ${MINIGPT_INIT_WEIGHTS})
set_tests_properties(test_repeat PROPERTIES TIMEOUT 600 LABELS harness)

# The CDF's percentile labels never overlap (issue 17).
lab_test(test_plot_labels plots lab_common m)
set_tests_properties(test_plot_labels PROPERTIES LABELS harness)

# `cmake --install` into a temporary prefix, then a tiny lab from a folder
# outside both trees.
add_test(NAME test_install COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test_install.sh ${CMAKE_BINARY_DIR})
set_tests_properties(test_install PROPERTIES TIMEOUT 180 LABELS harness)
