# Tests of model/: the library's numerics, files and agent, and the command.
lab_test(test_model_forward minigpt)
# Built as forward.c and attention.c are, so that gpt_expf is checked fused.
set_property(SOURCE test_model_forward.c APPEND PROPERTY COMPILE_OPTIONS -ffp-contract=fast)
lab_test(test_model_kvcache minigpt)
lab_test(test_model_extend minigpt)
lab_test(test_model_threads minigpt Threads::Threads)
lab_test(test_model_weights_file minigpt)
lab_test(test_model_agent minigpt)

# The minigpt command as a user runs it: exit codes and messages.
set(MINIGPT_BIN $<TARGET_FILE:minigpt_cli>)
add_test(NAME cli_minigpt_info COMMAND ${MINIGPT_BIN} info ${MINIGPT_INIT_WEIGHTS})
set_tests_properties(cli_minigpt_info PROPERTIES
  PASS_REGULAR_EXPRESSION "parameters: +103680.*trained: +untrained")
add_test(NAME cli_minigpt_correct COMMAND ${MINIGPT_BIN} --weights ${MINIGPT_INIT_WEIGHTS}
         correct "She go to school yesterday.")
add_test(NAME cli_minigpt_correct_empty COMMAND ${MINIGPT_BIN} --weights ${MINIGPT_INIT_WEIGHTS}
         correct "")
set_tests_properties(cli_minigpt_correct_empty PROPERTIES WILL_FAIL TRUE)
add_test(NAME cli_minigpt_correct_alphabet COMMAND ${MINIGPT_BIN} --weights ${MINIGPT_INIT_WEIGHTS} correct "Tom était ici.")
set_tests_properties(cli_minigpt_correct_alphabet PROPERTIES
  PASS_REGULAR_EXPRESSION "outside the model's alphabet \\(byte 4\\)")
add_test(NAME cli_minigpt_missing_weights COMMAND ${MINIGPT_BIN} info /nonexistent.bin)
set_tests_properties(cli_minigpt_missing_weights PROPERTIES
  PASS_REGULAR_EXPRESSION "/nonexistent.bin: No such file or directory")
add_test(NAME cli_minigpt_bad_command COMMAND ${MINIGPT_BIN} frobnicate)
set_tests_properties(cli_minigpt_bad_command PROPERTIES WILL_FAIL TRUE)
add_test(NAME cli_minigpt_bench COMMAND ${MINIGPT_BIN} --weights ${MINIGPT_INIT_WEIGHTS}
         bench --threads 2 --repeat 1)
set_tests_properties(cli_minigpt_bench PROPERTIES
  PASS_REGULAR_EXPRESSION
  "corrections/s.*\n +1 +100 .*\n +2 +200 .*\nmodel: +[0-9.]+ GFLOP/s.*\nran: +[0-9.]+ GFLOP/s, [0-9.]+% of the peak.*\npeak: +[0-9.]+ GFLOP/s.*\nratio: +[0-9.]+% of the peak")

# Training: its data, its hand-written gradients, and the committed result.
lab_test(test_model_data minigpt)
lab_test(test_model_train minigpt)
lab_test(test_model_eval minigpt)
lab_test(test_model_drafts minigpt)
foreach(t test_model_eval test_model_drafts)
  target_compile_definitions(${t} PRIVATE MINIGPT_TEST_TRAINED_WEIGHTS="${MINIGPT_TRAINED_WEIGHTS}")
endforeach()

# The trained default model, as a user runs it.
add_test(NAME cli_minigpt_info_trained COMMAND ${MINIGPT_BIN} info)
set_tests_properties(cli_minigpt_info_trained PROPERTIES
  PASS_REGULAR_EXPRESSION "parameters: +103680.*trained: +trained \\(seed 1\\)")
add_test(NAME cli_minigpt_data COMMAND ${MINIGPT_BIN} data --count 3 --seed 1)
set_tests_properties(cli_minigpt_data PROPERTIES
  PASS_REGULAR_EXPRESSION "^[a-z_]+\t[^\t]+\t[^\t]+\n[a-z_]+\t")
add_test(NAME cli_minigpt_train_bad_flag COMMAND ${MINIGPT_BIN} train --steps 0)
set_tests_properties(cli_minigpt_train_bad_flag PROPERTIES WILL_FAIL TRUE)
