(*
 * Postfix_Master: hardenwiz's copy of Augeas's lens for master.cf, loaded
 * ahead of the system one (same module name). Augeas 1.14's lens stops at
 * arguments with characters Postfix accepts, such as the "?" in Debian
 * 13's stock "-o syslog_name=${multi_instance_name?{...}:{postfix}}/...",
 * and at a comment line between an entry's continuation lines, which
 * installers and admins leave when they uncomment a service but not all of
 * its "-o" lines. Postfix's own rules (master(5)): a line that starts with
 * whitespace continues the logical line; empty lines and lines whose first
 * non-blank character is "#" are ignored, also between continuation lines.
 *
 * The tree is Augeas's: one node per service (its name), with type,
 * private, unprivileged, chroot, wakeup, limit and command, where command
 * keeps its continuation lines (and any comment lines between them)
 * verbatim, so an unchanged entry is written back byte for byte.
 *)
module Postfix_Master =
   autoload xfm

let eol        = Util.eol
let ws         = del /[ \t\n]+/ " "
let comment    = Util.comment
let empty      = Util.empty

(* A service: "smtp", "127.0.0.1:10025", "[::1]:10025". *)
let word       = /[A-Za-z0-9_.:-]+|\[[0-9A-Fa-f:.]+\]:[A-Za-z0-9_.-]+/

(* A line's text: no leading blank or "#", no trailing blank. *)
let words      = /[^ \t\n#]([^\n]*[^ \t\n])?/

(* From one line to its continuation: blank and comment lines between. *)
let continue   = /[ \t]*\n([ \t]*(#[^\n]*)?\n)*[ \t]+/

let bool       = /y|n|-/
let integer    = /([0-9]+|-)\??/
let command    = words . (continue . words)*

let field (l:string) (r:regexp)
               = [ label l . store r ]

let entry     = [ key word . ws
                . field "type"         /inet|unix(-dgram)?|fifo|pass/  . ws
                . field "private"      bool                   . ws
                . field "unprivileged" bool                   . ws
                . field "chroot"       bool                   . ws
                . field "wakeup"       integer                . ws
                . field "limit"        integer                . ws
                . field "command"      command
                . eol ]

let lns        = (comment|empty|entry) *

let filter     = incl "/etc/postfix/master.cf"
               . incl "/usr/local/etc/postfix/master.cf"

let xfm        = transform lns filter
