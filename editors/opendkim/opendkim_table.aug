(*
 * Module: Opendkim_Table
 *   OpenDKIM's file tables (KeyTable, SigningTable; opendkim.conf(5),
 *   "DATA SETS"): one row per line, a key, white space, its value.
 *   KeyTable:      mail._domainkey.example.com  example.com:mail:/etc/dkimkeys/x
 *   SigningTable:  *@example.com  mail._domainkey.example.com
 *   Each row is a "row" node with "key" and "value" children.
 *)
module Opendkim_Table =
  autoload xfm

  let row = [ seq "row"
      . [ label "key" . store /[^ \t\n#]+/ ]
      . del /[ \t]+/ "\t"
      . [ label "value" . store /[^ \t\n#]([^\n#]*[^ \t\n#])?/ ]
      . Util.comment_or_eol ]
  let lns = (Util.empty | Util.comment | row)*

  let xfm = transform lns (incl "/etc/opendkim/KeyTable"
      . incl "/etc/opendkim/SigningTable" . incl "/etc/opendkim/*.table")
