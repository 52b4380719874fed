#!/bin/sh
# Simulated Sun Java System Messaging Server host commands.
# Usage: SIM_HOST=<host dir> msgsim.sh <command> [args...], or read by a command's wrapper ('.') with the
# command and its arguments set as the positional parameters.
# All state lives in files under $SIM_HOST (see host.conf, state/, faults/).

if [ -z "$SIM_HOST" ] || [ ! -f "$SIM_HOST/host.conf" ]; then
  echo "msgsim: SIM_HOST does not point at a simulated host" >&2
  exit 1
fi
H="$SIM_HOST"
. "$H/host.conf"
ST="$H/state"
CMD="$1"
shift

# ---------------------------------------------------------------- logging
# Each simulated host shares the machine's cores with every other one: the commands below use the shell's
# builtins where they can, a process (a fork, an exec) being the dearest thing a simulated command does.

# arguments joined by spaces, secrets masked, into MASKED
mask_args() {
  m_opt=""
  m_prev=""
  for m_a in "$@"; do
    if [ "$m_prev" = "-o" ]; then m_opt="$m_a"; fi
    m_prev="$m_a"
  done
  m_out=""
  m_prev=""
  for m_a in "$@"; do
    m_v="$m_a"
    case "$m_prev" in
      -w) m_v='****' ;;
      -v) case "$m_opt" in *pass*|*PASS*|*Pass*) m_v='****' ;; esac ;;
    esac
    if [ -z "$m_out" ]; then m_out="$m_v"; else m_out="$m_out $m_v"; fi
    m_prev="$m_a"
  done
  case "$m_out" in
    *"$TAB"*|*"$NL"*) m_out=$(printf '%s' "$m_out" | tr '\t\n' '  ') ;;
  esac
  MASKED="$m_out"
}

TAB='	'
NL='
'
mask_args "$@"

log_exit() {
  l_ts=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
  printf '%s\t%s\t%s\t%s\n' "$l_ts" "$CMD" "$MASKED" "$1" >> "$H/commands.log"
  exit "$1"
}

# ---------------------------------------------------------------- helpers

die() { # die <code> <message>: the command ends, logged with <code>
  echo "$2" >&2
  log_exit "$1"
}

usage() {
  die 1 "usage: $CMD $1"
}

in_list() { # in_list <word> <space separated list>
  for i_w in $2; do
    if [ "$i_w" = "$1" ]; then return 0; fi
  done
  return 1
}

# first_line <file>: its first line into LINE (empty when the file is missing or empty)
first_line() {
  LINE=""
  if [ -f "$1" ]; then IFS= read -r LINE < "$1" || true; fi
}

# build_of <release>: its build into BUILD
build_of() {
  case "$1" in
    6.3) BUILD="6.3-0.15" ;;
    6.2p3) BUILD="6.2-3.04" ;;
    6.2) BUILD="6.2-1.02" ;;
    6.1) BUILD="6.1-9.01" ;;
    6.0) BUILD="6.0-0.13" ;;
    *) BUILD="$1" ;;
  esac
}

# the installed release's build into BUILD
current_build() {
  first_line "$H/version"
  build_of "$LINE"
}

# restore_original_release <file>: writes the release the host had before the upgrade into <file>
restore_original_release() {
  first_line "$ST/original-release"
  echo "$LINE" > "$1"
}

is_running() { [ -s "$ST/running" ]; }


valid_patch_id() {
  case "$1" in
    [0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9]) return 0 ;;
  esac
  return 1
}

# words_of <file>: its lines (one word each), space separated, into WORDS (empty when the file is missing)
words_of() {
  WORDS=""
  if [ -f "$1" ]; then
    while IFS= read -r w_w || [ -n "$w_w" ]; do WORDS="$WORDS $w_w"; done < "$1"
  fi
}

# the applied patches (NNNNNN-NN) into PATCHES
read_patches() {
  words_of "$ST/patches"
  PATCHES="$WORDS"
}

# any_applied <space separated patch bases>: whether a patch of one of them is applied
any_applied() {
  read_patches
  for c_p in $PATCHES; do
    if in_list "${c_p%%-*}" "$1"; then return 0; fi
  done
  return 1
}

core_applied() { any_applied "$SIM_CORE_PATCHES"; }
l10n_applied() { any_applied "$SIM_L10N_PATCHES"; }

# without_line <file> <line>: removes the lines equal to <line> from <file>, if it exists
without_line() {
  [ -f "$1" ] || return 0
  while IFS= read -r w_l || [ -n "$w_l" ]; do
    if [ "$w_l" != "$2" ]; then printf '%s\n' "$w_l"; fi
  done < "$1" > "$1.tmp.$$"
  mv "$1.tmp.$$" "$1"
}

# has_line <file> <line>: whether <file> exists and has a line equal to <line>
has_line() {
  [ -f "$1" ] || return 1
  while IFS= read -r h_l || [ -n "$h_l" ]; do
    if [ "$h_l" = "$2" ]; then return 0; fi
  done < "$1"
  return 1
}

require_os() { # require_os <os>
  if [ "$SIM_OS" != "$1" ]; then
    die 127 "sh: $CMD: not found"
  fi
}

require_binaries() {
  if [ -f "$ST/binaries-removed" ]; then
    die 127 "sh: $CMD: not found"
  fi
}

template_lines() {
  printf '%s\n' "service.imap.enable = yes" "service.http.enable = yes" "service.http.smtphost = localhost" \
    "local.webmail.sieve.port = 8081" "local.store.snapshotinterval = 1440" "local.imap.enablesearchhint = 1"
}

create_patch_dir() { # create_patch_dir <id>
  mkdir -p "$MSG_SVR_BASE/install/patch/$1/templates"
  template_lines > "$MSG_SVR_BASE/install/patch/$1/templates/msg.conf"
}

# ---------------------------------------------------------------- configutil store

# cfg_value <option>: its value into CFG; false when it is not set (cfg_set keeps one line an option)
cfg_value() {
  CFG=""
  [ -f "$ST/configutil" ] || return 1
  while IFS= read -r c_l || [ -n "$c_l" ]; do
    case "$c_l" in "$1="*) CFG="${c_l#"$1="}"; return 0 ;; esac
  done < "$ST/configutil"
  return 1
}

cfg_get() {
  if cfg_value "$1"; then printf '%s\n' "$CFG"; fi
}

cfg_del() {
  if [ -f "$ST/configutil" ]; then
    while IFS= read -r c_l || [ -n "$c_l" ]; do
      case "$c_l" in "$1="*) ;; *) printf '%s\n' "$c_l" ;; esac
    done < "$ST/configutil" > "$ST/configutil.tmp.$$"
  else
    : > "$ST/configutil.tmp.$$"
  fi
  mv "$ST/configutil.tmp.$$" "$ST/configutil"
}

cfg_set() {
  cfg_del "$1"
  printf '%s=%s\n' "$1" "$2" >> "$ST/configutil"
}

# msgconf_changed <line>: configutil keeps its options in the active msg.conf, so a change rewrites that file (the
# simulator notes the option there; its values stay in the configutil store, a secret's never in msg.conf)
msgconf_changed() {
  if [ -f "$MSG_SVR_BASE/config/msg.conf" ]; then printf '%s\n' "$1" >> "$MSG_SVR_BASE/config/msg.conf"; fi
}

# ---------------------------------------------------------------- rpm store

rpm_name() { # sun-messaging-server-6.3-13.9 -> sun-messaging-server
  echo "$1" | sed 's/-[^-]*-[^-]*$//'
}

rpm_installed_line() { # rpm_installed_line <name or name-version>
  if [ -f "$ST/rpms" ]; then
    while IFS= read -r r_l; do
      if [ "$r_l" = "$1" ] || [ "$(rpm_name "$r_l")" = "$1" ]; then
        echo "$r_l"
        return 0
      fi
    done < "$ST/rpms"
  fi
  return 1
}

rpm_remove_name() { # rpm_remove_name <name>
  touch "$ST/rpms"
  : > "$ST/rpms.tmp.$$"
  while IFS= read -r r_l; do
    if [ "$(rpm_name "$r_l")" != "$1" ]; then echo "$r_l" >> "$ST/rpms.tmp.$$"; fi
  done < "$ST/rpms"
  mv "$ST/rpms.tmp.$$" "$ST/rpms"
}

# ================================================================= commands

cmd_imsimta() {
  require_binaries
  case "$1" in
    version)
      current_build
      echo "Sun Java(tm) System Messaging Server $BUILD (built Feb  9 2007)"
      echo "libimta.so $BUILD (built Feb  9 2007)"
      echo "SunOS/Linux simulated host $SIM_HOST"
      ;;
    *) usage "version" ;;
  esac
}

ALL_SERVICES="store imap pop smtp mmp http"
SERVICES_USAGE="store|imap|pop|smtp|mmp|http"

cmd_stop_msg() {
  require_binaries
  if [ $# -gt 1 ]; then usage "[service]"; fi
  if [ $# -eq 0 ]; then
    if is_running; then
      while IFS= read -r s || [ -n "$s" ]; do echo "Stopping $s server .... done"; done < "$ST/running"
    fi
    : > "$ST/running"
    return 0
  fi
  in_list "$1" "$ALL_SERVICES" || usage "[$SERVICES_USAGE]"
  if [ -f "$ST/running" ]; then without_line "$ST/running" "$1"; else : > "$ST/running"; fi
  echo "Stopping $1 server .... done"
}

cmd_start_msg() {
  require_binaries
  if [ $# -gt 1 ]; then usage "[service]"; fi
  if [ $# -eq 1 ]; then
    in_list "$1" "$ALL_SERVICES" || usage "[$SERVICES_USAGE]"
  fi
  n=$(ulimit -n)
  if [ "$n" != "unlimited" ] && [ "$n" -lt "$SIM_FD_MIN" ]; then
    die 1 "start-msg: file descriptor limit $n is below the required $SIM_FD_MIN; raise it with ulimit -n"
  fi
  current_build
  echo "Sun Java(tm) System Messaging Server $BUILD (built Feb  9 2007)"
  echo "Connecting to watcher ..."
  if [ $# -eq 1 ]; then
    wanted="$1"
  else
    # the services enabled: IMAP and mshttpd may be turned off (configutil service.imap.enable, service.http.enable)
    wanted=""
    cfg_value service.http.enable || true
    http="$CFG"
    cfg_value service.imap.enable || true
    imap="$CFG"
    for s in $ALL_SERVICES; do
      if [ "$s" = "http" ] && [ "$http" = "no" ]; then continue; fi
      if [ "$s" = "imap" ] && [ "$imap" = "no" ]; then continue; fi
      wanted="$wanted $s"
    done
  fi
  words_of "$ST/running"
  running="$WORDS"
  for s in $wanted; do
    if ! in_list "$s" "$running"; then echo "$s" >> "$ST/running"; running="$running $s"; fi
    echo "Starting $s server .... $$"
  done
}

cmd_patchadd() {
  require_os solaris
  if [ $# -ne 1 ]; then usage "<patch directory>"; fi
  arg="${1%/}"
  id="${arg##*/}"
  valid_patch_id "$id" || die 1 "patchadd: $1 is not a valid patch (expected NNNNNN-NN)"
  case "$arg" in
    */*) pdir="$arg" ;;
    *) pdir="$H/tmp/$id" ;;
  esac
  if [ ! -d "$pdir" ] || [ ! -d "$H/tmp/$id" ]; then
    die 1 "patchadd: patch $id not found at $pdir"
  fi
  base="${id%%-*}"
  rev="${id#*-}"
  read_patches
  for p in $PATCHES; do
    if [ "${p%%-*}" = "$base" ] && [ "${p#*-}" -ge "$rev" ]; then
      die 2 "This patch has already been applied (installed: $p)."
    fi
  done
  if in_list "$base" "$SIM_L10N_PATCHES" && ! core_applied; then
    die 1 "patchadd: patch $id requires patch ${SIM_CORE_PATCHES%% *} (Messaging Server core) which is not installed"
  fi
  if is_running; then
    die 1 "patchadd: Messaging Server is running; stop Messaging Server first (stop-msg)"
  fi
  echo "Checking installed patches..."
  echo "Installing patch packages..."
  # a newer revision replaces an older one of the same base
  {
    for p in $PATCHES; do
      case "$p" in "$base"-*) ;; *) echo "$p" ;; esac
    done
    echo "$id"
  } > "$ST/patches.tmp.$$"
  mv "$ST/patches.tmp.$$" "$ST/patches"
  create_patch_dir "$id"
  if in_list "$base" "$SIM_CORE_PATCHES"; then
    echo "6.3" > "$H/version"
  fi
  echo "Patch $id has been successfully installed."
}

cmd_patchrm() {
  require_os solaris
  if [ $# -ne 1 ]; then usage "<patch id>"; fi
  id="$1"
  has_line "$ST/patches" "$id" || die 1 "patchrm: Patch $id has not been applied to this system."
  # the guide's rollback stops every component first (step 3), as the upgrade does before patchadd
  if is_running; then
    die 1 "patchrm: Messaging Server is running; stop Messaging Server first (stop-msg)"
  fi
  base="${id%%-*}"
  if in_list "$base" "$SIM_CORE_PATCHES" && l10n_applied; then
    die 1 "patchrm: patch $id is required by an installed localization patch; remove it first"
  fi
  without_line "$ST/patches" "$id"
  rm -rf "$MSG_SVR_BASE/install/patch/$id"
  if in_list "$base" "$SIM_CORE_PATCHES"; then
    restore_original_release "$H/version"
  fi
  echo "Patch $id has been backed out."
}

# pgrep [-x] <process name>: the pid of a Messaging Server daemon when its service runs (state/running), exit 1 when
# not; the daemons by service: stored (store), imapd, popd, dispatcher and job_controller (smtp), AService (mmp),
# mshttpd (http)
cmd_pgrep() {
  if [ "$1" = "-z" ]; then
    [ $# -ge 2 ] && [ "$2" = "global" ] || usage "[-z zone] [-x] <name>" # the simulated host is its global zone
    shift 2
  fi
  if [ "$1" = "-x" ]; then shift; fi
  [ $# -eq 1 ] || usage "[-z zone] [-x] <name>"
  case "$1" in
    stored) svc=store; pid=1101 ;;
    imapd) svc=imap; pid=1102 ;;
    popd) svc=pop; pid=1103 ;;
    dispatcher) svc=smtp; pid=1104 ;;
    job_controller) svc=smtp; pid=1105 ;;
    AService) svc=mmp; pid=1106 ;;
    mshttpd) svc=http; pid=1107 ;;
    *) return 1 ;;
  esac
  words_of "$ST/running"
  in_list "$svc" "$WORDS" || return 1
  echo "$pid"
}

cmd_zonename() {
  require_os solaris
  echo global
}

cmd_showrev() {
  require_os solaris
  if [ $# -ne 1 ] || [ "$1" != "-p" ]; then usage "-p"; fi
  read_patches
  for p in $PATCHES; do
    echo "Patch: $p Obsoletes: Requires: Incompatibles: Packages: SUNWmsgsr"
  done
}

# rpm file -> name-version (sun-messaging-server-6.3-13.9)
rpm_file_nv() {
  b=$(basename "$1")
  b="${b%.rpm}"
  echo "${b%.*}"
}

rpm_install_one() { # rpm_install_one <file> <freshen|install>
  f="$1"
  [ -f "$f" ] || die 1 "error: open of $f failed: No such file or directory"
  nv=$(rpm_file_nv "$f")
  name=$(rpm_name "$nv")
  if [ "$name" = "sun-messaging-server" ]; then
    if [ "$2" = "freshen" ]; then
      rpm_installed_line sun-messaging-server > /dev/null || return 0
    else
      old=$(rpm_installed_line sun-messaging-server || rpm_installed_line sun-messaging-core)
      if [ -n "$old" ]; then
        die 1 "error: Failed dependencies: file /opt/sun/messaging/sbin/imsimta from install of $nv conflicts with file from package $old"
      fi
    fi
    rpm_remove_name "$name"
    echo "$nv" >> "$ST/rpms"
    case "$nv" in
      sun-messaging-server-6.3-*)
        echo "6.3" > "$H/version"
        rm -f "$ST/binaries-removed"
        create_patch_dir 120230-17
        ;;
    esac
  else
    case "$nv" in
      sun-messaging-*-6.3-*)
        case "$(rpm_installed_line sun-messaging-server)" in
          sun-messaging-server-6.3-*) ;;
          *) die 1 "error: Failed dependencies: sun-messaging-server >= 6.3 is needed by $nv" ;;
        esac
        ;;
    esac
    rpm_remove_name "$name"
    echo "$nv" >> "$ST/rpms"
    create_patch_dir 117786-17
  fi
  if [ "$VERBOSE" = "yes" ]; then
    echo "Preparing...                ########################################### [100%]"
    echo "   1:$name          ########################################### [100%]"
  fi
}

cmd_rpm() {
  require_os linux
  [ $# -ge 1 ] || usage "-Fvh <file> | -i <file> | -e [--noscripts] <pkg>... | -q <pkg>"
  mode="$1"
  shift
  VERBOSE=no
  case "$mode" in
    -F*|-U*|-i*) case "$mode" in *v*) VERBOSE=yes ;; esac ;;
  esac
  case "$mode" in
    -F|-Fv|-Fh|-Fvh|-Fhv)
      [ $# -ge 1 ] || usage "-Fvh <file>..."
      for f in "$@"; do rpm_install_one "$f" freshen; done
      ;;
    -i|-iv|-ih|-ivh|-ihv)
      [ $# -ge 1 ] || usage "-i <file>..."
      for f in "$@"; do rpm_install_one "$f" install; done
      ;;
    -e)
      if [ "$1" = "--noscripts" ]; then shift; fi
      [ $# -ge 1 ] || usage "-e [--noscripts] <pkg>..."
      for p in "$@"; do
        rpm_installed_line "$p" > /dev/null || die 1 "error: package $p is not installed"
      done
      for p in "$@"; do
        rpm_remove_name "$(rpm_name "$(rpm_installed_line "$p")")"
      done
      if ! rpm_installed_line sun-messaging-server > /dev/null && ! rpm_installed_line sun-messaging-core > /dev/null; then
        touch "$ST/binaries-removed"
      fi
      ;;
    -q)
      [ $# -ge 1 ] || usage "-q <pkg>..."
      rc=0
      for p in "$@"; do
        if ! rpm_installed_line "$p"; then echo "package $p is not installed"; rc=1; fi
      done
      return $rc
      ;;
    *) usage "-Fvh <file> | -i <file> | -e [--noscripts] <pkg>... | -q <pkg>" ;;
  esac
}

# patch_dir_id <patch directory>: checks it exists; its patch id into PATCH_ID
patch_dir_id() {
  d="${1%/}"
  [ -d "$d" ] || die 1 "$CMD: $1: no such patch directory (is the patch applied?)"
  PATCH_ID="${d##*/}"
}

# merge_template: appends to $new each template line read from stdin whose option it does not set yet
merge_template() {
  existing="$NL"
  while IFS= read -r m_l || [ -n "$m_l" ]; do existing="$existing$m_l$NL"; done < "$new"
  while IFS= read -r line || [ -n "$line" ]; do
    case "$existing" in
      *"$NL${line%% = *} = "*) ;;
      *) echo "$line" >> "$new"; existing="$existing$line$NL" ;;
    esac
  done
}

cmd_patch_config() {
  require_binaries
  [ $# -eq 1 ] || usage "<msg-svr-base>/install/patch/<patch_ID>"
  patch_dir_id "$1"
  id="$PATCH_ID"
  pdir="${1%/}"
  if [ ! -d "$MSG_SVR_BASE/config.bak-$id" ]; then
    cp -R "$MSG_SVR_BASE/config" "$MSG_SVR_BASE/config.bak-$id"
    echo "Backed up $MSG_SVR_BASE/config to $MSG_SVR_BASE/config.bak-$id"
  fi
  mkdir -p "$pdir/newconfig" "$MSG_SVR_BASE/lib/patch"
  new="$pdir/newconfig/msg.conf"
  cp "$MSG_SVR_BASE/config/msg.conf" "$new"
  if [ -f "$pdir/templates/msg.conf" ]; then
    merge_template < "$pdir/templates/msg.conf"
  else
    template_lines | merge_template
  fi
  echo "Merged configuration written to $new"
  printf '%s\n' "dn: cn=msg-svr-base,cn=Messaging Server,cn=Server Group,cn=$SIM_HOST,ou=config" \
    "changetype: modify" "replace: nsmsgConfigRelease" "nsmsgConfigRelease: 6.3" "" \
    "dn: o=mailuserprefs,o=internet" "changetype: modify" "add: objectClass" "objectClass: sunMailUserPrefs" "" \
    "dn: cn=mail-schema,cn=config" "changetype: modify" "replace: sunMsgSchemaVersion" "sunMsgSchemaVersion: 2" \
    > "$MSG_SVR_BASE/lib/patch/ugdir_diff.ldif"
  echo "LDIF written to $MSG_SVR_BASE/lib/patch/ugdir_diff.ldif"
  if [ -e "$pdir/conflicts" ]; then rm -f "$pdir/conflicts"; fi
  if [ -f "$H/faults/patch-config.conflicts" ]; then
    while IFS= read -r c || [ -n "$c" ]; do
      echo "CONFLICT: $c"
      echo "$c" >> "$pdir/conflicts"
    done < "$H/faults/patch-config.conflicts"
  fi
}

ask_each_file() { # ask_each_file <dir> <verb>: 0 when every file was confirmed
  for a_f in "$1"/*; do
    [ -f "$a_f" ] || continue
    printf '%s new %s? [y/n] ' "$2" "${a_f##*/}"
    if ! read -r a_ans; then echo; return 1; fi
    case "$a_ans" in y|Y|yes) ;; *) return 1 ;; esac
  done
  return 0
}

cmd_install_newconfig() {
  require_binaries
  force=no
  if [ "$1" = "-f" ]; then force=yes; shift; fi
  [ $# -eq 1 ] || usage "[-f] <msg-svr-base>/install/patch/<patch_ID>"
  patch_dir_id "$1"
  id="$PATCH_ID"
  pdir="${1%/}"
  [ -d "$pdir/newconfig" ] || die 1 "install-newconfig: no new configuration in $pdir; run patch-config first"
  if [ "$force" = "no" ] && [ "$SIM_OS" = "solaris" ]; then
    ask_each_file "$pdir/newconfig" Install || die 1 "install-newconfig: not confirmed, nothing installed"
  fi
  cp -R "$pdir/newconfig/." "$MSG_SVR_BASE/config/"
  if ! has_line "$ST/newconfig" "$id"; then echo "$id" >> "$ST/newconfig"; fi
  echo "6.3" > "$ST/config-release"
  echo "Installed new configuration of patch $id into $MSG_SVR_BASE/config"
}

cmd_uninstall_newconfig() {
  require_binaries
  force=no
  if [ "$1" = "-f" ]; then force=yes; shift; fi
  [ $# -eq 1 ] || usage "-f <msg-svr-base>/install/patch/<patch_ID>"
  id="${1%/}"
  id="${id##*/}"
  has_line "$ST/newconfig" "$id" || die 1 "uninstall-newconfig: the new configuration of patch $id is not installed"
  [ -d "$MSG_SVR_BASE/config.bak-$id" ] || die 1 "uninstall-newconfig: no backup $MSG_SVR_BASE/config.bak-$id"
  if [ "$force" = "no" ] && [ "$SIM_OS" = "solaris" ]; then
    ask_each_file "$MSG_SVR_BASE/config.bak-$id" Restore || die 1 "uninstall-newconfig: not confirmed, nothing restored"
  fi
  rm -rf "$MSG_SVR_BASE/config"
  cp -R "$MSG_SVR_BASE/config.bak-$id" "$MSG_SVR_BASE/config"
  without_line "$ST/newconfig" "$id"
  if [ ! -s "$ST/newconfig" ]; then
    rm -f "$ST/newconfig"
    restore_original_release "$ST/config-release"
  fi
  echo "Restored configuration of $MSG_SVR_BASE/config from $MSG_SVR_BASE/config.bak-$id"
}

cmd_configutil() {
  require_binaries
  opt=""
  value=""
  input=""
  action=get
  while [ $# -gt 0 ]; do
    case "$1" in
      -o) [ $# -ge 2 ] || usage "[-o option [-v value | -d]]"; opt="$2"; shift 2 ;;
      -v) [ $# -ge 2 ] || usage "[-o option [-v value | -d]]"; value="$2"; action=set; shift 2 ;;
      -d) action=delete; shift ;;
      -i) [ $# -ge 2 ] || usage "-i inputfile"; action=import; input="$2"; shift 2 ;;
      *) usage "[-o option [-v value | -d]] | -i inputfile" ;;
    esac
  done
  if [ "$action" = "import" ]; then
    # configutil -i inputfile: "option=value" lines, no spaces on either side of '=', from a file named by its
    # absolute path (Administration Reference); values never appear as arguments
    case "$input" in /*) ;; *) die 1 "configutil: the inputfile must be an absolute path: $input" ;; esac
    [ -f "$input" ] || die 1 "configutil: cannot open $input"
    while IFS= read -r line || [ -n "$line" ]; do
      case "$line" in ''|'#'*) continue ;; esac
      case "$line" in
        *' ='*|*'= '*|*'	='*|*'=	'*) die 1 "configutil: bad import line (option=value, no spaces around =)" ;;
        *=*) ;;
        *) die 1 "configutil: cannot parse import line" ;;
      esac
      name=${line%%=*}
      val=${line#*=}
      [ -n "$name" ] || die 1 "configutil: cannot parse import line"
      cfg_set "$name" "$val"
      msgconf_changed "# configutil: $name imported"
    done < "$input"
    return 0
  fi
  if [ -z "$opt" ]; then
    [ "$action" = "get" ] || usage "[-o option [-v value | -d]]"
    if [ -f "$ST/configutil" ]; then sed 's/=/ = /' "$ST/configutil"; fi
    return 0
  fi
  case "$action" in
    get) cfg_get "$opt" ;;
    set) cfg_set "$opt" "$value"; msgconf_changed "# configutil: $opt set" ;;
    delete) cfg_del "$opt"; msgconf_changed "# configutil: $opt deleted" ;;
  esac
}

cmd_ldapmodify() {
  require_binaries
  if [ "$SIM_OS" = "solaris" ]; then
    case ":$LD_LIBRARY_PATH:" in
      *":$MSG_SVR_BASE/lib:"*|*":$MSG_SVR_BASE/lib/:"*) ;;
      *) die 1 "ld.so.1: ldapmodify: fatal: libldap.so.5: open failed: No such file or directory" ;;
    esac
  fi
  binddn=""; pw=""; pwfile=""; dshost=""; dsport=""; rej=""; ldif=""; haspw=no
  U="-D binddn (-w password | -j pwfile) -c -h host -p port -e rejfile -f ldiffile"
  while [ $# -gt 0 ]; do
    case "$1" in
      -D) [ $# -ge 2 ] || usage "$U"; binddn="$2"; shift 2 ;;
      -w) [ $# -ge 2 ] || usage "$U"; pw="$2"; haspw=yes; shift 2 ;;
      -j) [ $# -ge 2 ] || usage "$U"; pwfile="$2"; haspw=yes; shift 2 ;;
      -h) [ $# -ge 2 ] || usage "$U"; dshost="$2"; shift 2 ;;
      -p) [ $# -ge 2 ] || usage "$U"; dsport="$2"; shift 2 ;;
      -e) [ $# -ge 2 ] || usage "$U"; rej="$2"; shift 2 ;;
      -f) [ $# -ge 2 ] || usage "$U"; ldif="$2"; shift 2 ;;
      -c) shift ;;
      *) usage "$U" ;;
    esac
  done
  [ -n "$binddn" ] || die 1 "ldapmodify: a bind DN is required (-D)"
  [ "$haspw" = "yes" ] || die 1 "ldapmodify: a password is required (-w or -j)"
  if [ -n "$pwfile" ]; then
    [ -s "$pwfile" ] || die 1 "ldapmodify: cannot read password file $pwfile"
  else
    [ -n "$pw" ] || die 1 "ldapmodify: empty password"
  fi
  [ -n "$ldif" ] || usage "$U"
  [ -f "$ldif" ] || die 1 "ldapmodify: cannot open $ldif: No such file or directory"
  [ -n "$dshost" ] || dshost=localhost
  [ -n "$dsport" ] || dsport=389
  sum=$(sha256sum < "$ldif")
  sum="${sum%% *}"
  ts=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
  printf '%s\t%s\t%s:%s\t%s\t%s\n' "$ts" "$binddn" "$dshost" "$dsport" "$sum" "$ldif" >> "$ST/ldif-imported"
  # fault "reject": the directory refuses every entry, which -c goes on past and -e writes to the reject file
  while IFS= read -r dn || [ -n "$dn" ]; do
    case "$dn" in
      dn:*)
        if [ -f "$H/faults/ldapmodify.reject" ] && [ -n "$rej" ]; then
          echo "ldap_modify: Insufficient access; entry ${dn#dn: }" >&2
          printf '%s\n# error: Insufficient access\n\n' "$dn" >> "$rej"
        else
          echo "modifying entry ${dn#dn: }"
        fi
        ;;
    esac
  done < "$ldif"
}

cmd_useconfig() {
  require_binaries
  [ $# -eq 1 ] || usage "<config directory>"
  [ -d "$1" ] || die 1 "useconfig: $1 is not a directory"
  echo "$1" > "$ST/useconfig"
  echo "Messaging Server now uses the configuration in $1"
}

cmd_configure() {
  require_binaries
  statefile=""
  while [ $# -gt 0 ]; do
    case "$1" in
      -nodisplay|-noconsole) shift ;;
      -state) [ $# -ge 2 ] || usage "[-nodisplay] [-noconsole] -state <statefile>"; statefile="$2"; shift 2 ;;
      *) usage "[-nodisplay] [-noconsole] -state <statefile>" ;;
    esac
  done
  [ -n "$statefile" ] || die 1 "configure: interactive configure needs a terminal; use -nodisplay -noconsole -state <statefile>"
  if [ "$SIM_OS" = "linux" ]; then
    case "$(rpm_installed_line sun-messaging-server)" in
      sun-messaging-server-6.3-*) ;;
      *) die 1 "configure: Messaging Server 6.3 (sun-messaging-server) is not installed" ;;
    esac
  else
    first_line "$H/version"
    [ "$LINE" = "6.3" ] || die 1 "configure: Messaging Server 6.3 is not installed"
  fi
  [ -f "$statefile" ] || die 1 "configure: state file $statefile not found"
  mkdir -p "$MSG_SVR_BASE/config"
  {
    echo "# Messaging Server 6.3 configuration written by configure"
    template_lines
    echo "local.service.proxy.admin = admin"
  } > "$MSG_SVR_BASE/config/msg.conf"
  echo "6.3" > "$ST/config-release"
  echo "Messaging Server 6.3 configured from $statefile"
}

# ================================================================= dispatch

case "$CMD" in
  imsimta|stop-msg|start-msg|patchadd|patchrm|showrev|rpm|pgrep|zonename|patch-config|install-newconfig|uninstall-newconfig|configutil|ldapmodify|useconfig|configure) ;;
  *)
    echo "msgsim: unknown command $CMD" >&2
    exit 127
    ;;
esac

F="$H/faults/$CMD"
if [ -f "$F.hang" ]; then
  while [ -f "$F.hang" ]; do sleep 1; done
fi
# digits_of <file>: the digits of its first line into DIGITS ("1\n", " 2 " and "3s" give 1, 2 and 3)
digits_of() {
  first_line "$1"
  case "$LINE" in
    *[!0-9]*) DIGITS=$(printf '%s' "$LINE" | tr -dc '0-9') ;;
    *) DIGITS="$LINE" ;;
  esac
}
if [ -f "$F.delay" ]; then
  digits_of "$F.delay"
  sleep "${DIGITS:-0}"
fi
for kind in fail-once fail; do
  if [ -f "$F.$kind" ]; then
    digits_of "$F.$kind"
    code="${DIGITS:-1}"
    if [ "$kind" = "fail-once" ]; then rm -f "$F.$kind"; fi
    echo "$CMD: simulated failure (exit $code)" >&2
    log_exit "$code"
  fi
done

fn="cmd_"
f_rest="$CMD"
while :; do
  case "$f_rest" in
    *-*) fn="$fn${f_rest%%-*}_"; f_rest="${f_rest#*-}" ;;
    *) fn="$fn$f_rest"; break ;;
  esac
done
"$fn" "$@"
log_exit $?
