# Embed the report's assets (reports/assets/*) in C: cmake -DOUT=file.c
# -DASSETS="a|b" -P embed.cmake writes one NUL-terminated char array per
# file, named report_asset_<file name with [.-] as _>.
set(code "/* Generated from reports/assets by reports/embed.cmake: do not edit. */\n#include \"report_assets.h\"\n\n")
string(REPLACE "|" ";" ASSETS "${ASSETS}")
foreach(f ${ASSETS})
  get_filename_component(name "${f}" NAME)
  string(REGEX REPLACE "[.-]" "_" sym "${name}")
  file(READ "${f}" hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n\t" bytes "${bytes}")
  string(APPEND code "const char report_asset_${sym}[] = {\n\t${bytes}0x00\n};\n\n")
endforeach()
file(WRITE "${OUT}.tmp" "${code}")
file(RENAME "${OUT}.tmp" "${OUT}")
