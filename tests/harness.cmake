# Tests of harness/.
lab_test(test_harness_stats harness_core)
