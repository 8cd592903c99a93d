(*
 * Module: Opendkim
 *   opendkim.conf(5), shipped by hardenwiz ahead of Augeas' own: that one
 *   knows a fixed list of keys and fails on any file with one it lacks
 *   (RequireSafeKeys, LogResults, SignatureTTL ... of OpenDKIM 2.11), and
 *   allows no comment after a value. Here a line is "Key value", the value
 *   running to the end of the line or a "#"; OpenDKIM's own "opendkim -n"
 *   judges keys and values.
 *)
module Opendkim =
  autoload xfm

  let value_re = /[^ \t\n#]([^\n#]*[^ \t\n#])?/
  let entry = [ key /[A-Za-z][A-Za-z0-9_-]*/ . del /[ \t]+/ "\t"
      . store value_re . Util.comment_or_eol ]
  let lns = (Util.empty | Util.comment | entry)*

  let xfm = transform lns (incl "/etc/opendkim.conf")
