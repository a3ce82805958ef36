#!/usr/bin/env bash
# Holds harness/report/words.md to the code that says it: every "## key" in
# it is named by some file of harness/report/ (a table's .head, .rule,
# .row, .unmeasured and .caption by the table's name given to
# hs_say_table, a count's .one and .many by its stem), so no sentence is
# dead. (A
# key the code says but words.md lacks prints "[words.md has no ...]",
# which test_harness_rules and the run tests look for.) Exits 1 on a breach.
set -euo pipefail
cd "$(dirname "$0")/../harness/report"
bad=0
while IFS= read -r key; do
    # a table's parts (hs_say_table) are said by the table's name
    table=$(sed -n 's/^\(.*\)\.\(head\|rule\|row\|unmeasured\|caption\)$/\1/p' <<<"$key")
    # a count's two forms (hs_say_count) by their stem
    stem=$(sed -n 's/^\(.*\)\.\(one\|many\)$/\1/p' <<<"$key")
    [ -n "$stem" ] && grep -qF "\"$stem\"" ./*.c && continue
    # (the registry's rule names in rules.c do not count as saying a key)
    grep -F "\"$key\"" ./*.c | grep -qv 'hs_rule_' && continue
    [ -n "$table" ] && grep -qE "hs_say_table\(\&?b, \"$table\"" ./*.c && continue
    echo "words.md: \"$key\" is said by no file of harness/report/"
    bad=1
done < <(sed -n 's/^## \(.*\)$/\1/p' words.md)
exit $bad
