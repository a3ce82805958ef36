# embed.cmake - writes IN (a text file) into OUT as a C string, so that the
# harness carries its words without looking for a file at run time:
#   cmake -DIN=words.md -DOUT=words_text.c -DNAME=hs_words_text -P embed.cmake
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUT}.tmp" "/* Generated from ${IN} by embed.cmake; edit that file. */\n"
     "const char ${NAME}[] = {${bytes}0x00};\n")
file(RENAME "${OUT}.tmp" "${OUT}")
