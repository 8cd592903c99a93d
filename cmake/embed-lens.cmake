# cmake -DIN=FILE.aug -DOUT=FILE.c -DNAME=SYMBOL -P embed-lens.cmake
# writes a C file defining "const struct aug_module SYMBOL": the lens's
# file name and its text, so that the binary carries the lenses it ships
# (augsession.c writes them where Augeas finds them first).
file(READ ${IN} hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n\t" bytes "${bytes}")
get_filename_component(base ${IN} NAME)
file(WRITE ${OUT} "/* Generated from ${base} by cmake/embed-lens.cmake. */\n"
    "#include \"augsession.h\"\n\n"
    "static const char text[] = {\n\t${bytes}0x00\n};\n\n"
    "const struct aug_module ${NAME} = { \"${base}\", text };\n")
