#!/usr/bin/env bash
# Stands up a throwaway WordPress site with Session Warden on 127.0.0.1 only, replacing any earlier
# site in the same SW_ROOT (safe to run again):
#   MariaDB      private datadir, unix socket only (--skip-networking)
#   Apache 2.4   Debian's binary, mpm_prefork + mod_php (parallel like production), private config,
#                pid and logs under SW_ROOT/apache and SW_ROOT/logs, Listen 127.0.0.1:SW_PORT only
#   WordPress    6.5.5 (npm build) or 6.1.9 (Debian), installed without WP-CLI (install.php)
#   plugin       installed from build/session-warden.zip through WordPress's Plugin_Upgrader (default),
#                or copied from wordpress-plugin/ (SW_PLUGIN_FROM=src; engine/ from scripts/package.sh's staging)
#   engine       `session-warden-engine serve` daemon from the installed plugin's engine/, socket in
#                SW_ROOT/run/engine/ (not web-served), when the plugin ships an engine
# Layout: SW_ROOT/{site (DocumentRoot), db, run, logs, apache, env.json, env.sh}.
#
# Env: SW_WP=6.5.5|6.1.9  SW_PORT=8881  SW_ROOT=$SW_STATE/site-$SW_PORT  SW_PLUGIN_FROM=zip|src
#      SW_ZIP=build/session-warden.zip  SW_WP_DEBUG=0|1 (WP_DEBUG + logs/wp-debug.log)
#      SW_TEST_HOOKS=0|1 (TEST ONLY: Apache trusts the X-SW-Test-Client-IP header from 127.0.0.1 as the
#      client address via mod_remoteip, and the engine-probe mu-plugin is installed; never on a real site)
#      SW_GEO=0|1 (default SW_TEST_HOOKS: the small test country database tests/fixtures/test-country.mmdb
#      is copied to SW_ROOT/run/ and given to the daemon and to wp-config as SESSION_WARDEN_GEO_DB)
#      SW_ENGINE=daemon|runtime (runtime: no daemon, no socket constant, and Apache's PHP has proc_open
#      disabled, so the plugin must use its PHP WebAssembly runtime, as on a host where no binary may run)
#      SW_CHILDREN=24 (Apache prefork processes)  SW_ADMIN_USER=admin  SW_ADMIN_PASS=admin-pass-123
#      SW_MULTISITE=0|1 (after the single-site install, a SUBDIRECTORY multisite network on 127.0.0.1:SW_PORT
#      (network.php, no WP-CLI): the multisite constants in wp-config.php instead of WP_HOME/WP_SITEURL, core's
#      multisite rewrite rules, the plugin network-activated, a second site at /second/; env.json then has
#      "multisite": true and "sites": [{"id", "url"}, …])
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../scripts/lib.sh"

SW_WP=${SW_WP:-$SW_WP_MAIN}
SW_PORT=${SW_PORT:-8881}
SW_ROOT=${SW_ROOT:-$SW_STATE/site-$SW_PORT}
SW_PLUGIN_FROM=${SW_PLUGIN_FROM:-zip}
SW_ZIP=${SW_ZIP:-$SW_REPO/build/session-warden.zip}
SW_WP_DEBUG=${SW_WP_DEBUG:-0}
SW_TEST_HOOKS=${SW_TEST_HOOKS:-0}
SW_CHILDREN=${SW_CHILDREN:-24}
SW_GEO=${SW_GEO:-$SW_TEST_HOOKS}
SW_ENGINE=${SW_ENGINE:-daemon}
SW_MULTISITE=${SW_MULTISITE:-0}
SW_ADMIN_USER=${SW_ADMIN_USER:-admin}
SW_ADMIN_PASS=${SW_ADMIN_PASS:-admin-pass-123}
URL=http://127.0.0.1:$SW_PORT
t0=$EPOCHREALTIME
step() { sw_log "[$SW_WP :$SW_PORT] $* ($(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')s)"; }

case "$SW_ROOT" in /|/tmp|/root|/home|"$HOME") sw_die "refusing SW_ROOT=$SW_ROOT";; esac
WP_SRC=$(bash "$HERE/wp-core.sh" "$SW_WP")
[ "$SW_PLUGIN_FROM" != zip ] || [ -f "$SW_ZIP" ] || sw_die "$SW_ZIP does not exist: run scripts/package.sh (npm run package)"

# Web and engine user: www-data when we are root (Apache refuses to serve as root), else ourselves.
AS_WEB=()
if [ "$(id -u)" = 0 ]; then WEB_USER=www-data; AS_WEB=(setpriv --reuid=www-data --regid=www-data --clear-groups --); else WEB_USER=$(id -un); fi

# 0. Replace an earlier site here; the port must then be free.
[ -d "$SW_ROOT" ] && bash "$HERE/down.sh" "$SW_ROOT"
if curl -s -o /dev/null --max-time 2 "$URL/"; then sw_die "127.0.0.1:$SW_PORT is in use by another process"; fi
rm -rf "$SW_ROOT"
mkdir -p "$SW_ROOT"/{db/data,run/engine,logs,apache}
chmod 755 "$SW_ROOT" "$SW_ROOT/run"
SOCK=$SW_ROOT/run/mysqld.sock
ENGINE_SOCK=$SW_ROOT/run/engine/engine.sock
GEO_DB=$SW_ROOT/run/test-country.mmdb
SOCKET_DEFINE="define( 'SESSION_WARDEN_ENGINE_SOCKET', '$ENGINE_SOCK' );"
[ "$SW_ENGINE" = runtime ] && SOCKET_DEFINE="// SW_ENGINE=runtime: no engine daemon"
GEO_DEFINE=; GEO_ARGS=()
if [ "$SW_GEO" = 1 ]; then
  cp "$SW_REPO/tests/fixtures/test-country.mmdb" "$GEO_DB"; chmod 644 "$GEO_DB"
  GEO_DEFINE="define( 'SESSION_WARDEN_GEO_DB', '$GEO_DB' );"; GEO_ARGS=(--geo-db "$GEO_DB")
fi

# Start CMD in its own session (so its pid is also its process-group id) and record that pid.
start_group() { local pidfile=$1 log=$2; shift 2
  setsid bash -c 'echo $$ > "$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$log" 2>&1 &
  for _ in $(seq 50); do [ -s "$pidfile" ] && return 0; sleep 0.02; done; sw_die "could not start $1"; }

# 1. MariaDB on a unix socket only.
# mariadb-install-db takes seconds; a pristine datadir is made once per MariaDB version and copied.
tpl=$SW_STATE/mariadb-datadir-$(mariadbd --version | awk '{print $3}')-$(id -un)
if [ ! -f "$tpl/.complete" ]; then
  rm -rf "$tpl"; mkdir -p "$tpl"
  mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$tpl" \
    --auth-root-authentication-method=socket --skip-test-db >"$SW_ROOT/logs/mariadb-install.log" 2>&1 \
    || { cat "$SW_ROOT/logs/mariadb-install.log" >&2; sw_die "mariadb-install-db failed"; }
  touch "$tpl/.complete"
fi
rm -rf "$SW_ROOT/db/data"; cp -a "$tpl" "$SW_ROOT/db/data"; rm -f "$SW_ROOT/db/data/.complete"
start_group "$SW_ROOT/run/mariadbd.pid" "$SW_ROOT/logs/mariadb.out" \
  mariadbd --no-defaults --user="$(id -un)" --datadir="$SW_ROOT/db/data" --socket="$SOCK" \
  --pid-file="$SW_ROOT/run/mysqld.pid" --skip-networking --innodb-buffer-pool-size=64M \
  --innodb-flush-log-at-trx-commit=0 --innodb-fast-shutdown=2 --max-connections=200 --log-error="$SW_ROOT/logs/mariadb.err"
for _ in $(seq 200); do mariadb-admin --no-defaults --socket="$SOCK" ping >/dev/null 2>&1 && break; sleep 0.05; done
mariadb --no-defaults --socket="$SOCK" -e "CREATE DATABASE wp; CREATE USER 'wp'@'localhost' IDENTIFIED BY 'wp'; GRANT ALL ON wp.* TO 'wp'@'localhost';" \
  || sw_die "MariaDB did not come up (see $SW_ROOT/logs/mariadb.err)"
step "mariadb up"

# 2. WordPress tree (Debian's symlinks dereferenced), own wp-config, mu-plugins.
cp -rL "$WP_SRC" "$SW_ROOT/site"
rm -rf "$SW_ROOT/site/.htaccess" "$SW_ROOT/site/wp-config.php" "$SW_ROOT/site/wp-content/languages" "$SW_ROOT/site/.complete"
mkdir -p "$SW_ROOT/site/wp-content/mu-plugins" "$SW_ROOT/site/wp-content/plugins" "$SW_ROOT/site/wp-content/uploads"
cp "$HERE/mu-plugins/sw-offline-quiet.php" "$SW_ROOT/site/wp-content/mu-plugins/"
[ "$SW_TEST_HOOKS" = 1 ] && cp "$HERE"/mu-plugins/sw-test-*.php "$SW_ROOT/site/wp-content/mu-plugins/"
debug=false; [ "$SW_WP_DEBUG" = 1 ] && debug=true
cat > "$SW_ROOT/site/wp-config.php" <<PHP
<?php
// Session Warden test bed ($SW_WP on $URL). Generated by tests/env/up.sh; test-only secrets.
define( 'DB_NAME', 'wp' ); define( 'DB_USER', 'wp' ); define( 'DB_PASSWORD', 'wp' );
define( 'DB_HOST', 'localhost:$SOCK' ); define( 'DB_CHARSET', 'utf8mb4' ); define( 'DB_COLLATE', '' );
foreach ( array( 'AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT' ) as \$k ) { define( \$k, 'test-only-' . \$k . '-$SW_PORT' ); }
\$table_prefix = 'wp_';
define( 'WP_HOME', '$URL' ); define( 'WP_SITEURL', '$URL' );
define( 'WP_ENVIRONMENT_TYPE', 'local' );     // Application Passwords over plain http
define( 'WP_HTTP_BLOCK_EXTERNAL', true );     // offline: fail fast instead of waiting on wordpress.org
define( 'AUTOMATIC_UPDATER_DISABLED', true ); define( 'DISABLE_WP_CRON', true );
define( 'WP_DEBUG', $debug ); define( 'WP_DEBUG_LOG', '$SW_ROOT/logs/wp-debug.log' ); define( 'WP_DEBUG_DISPLAY', false );
$SOCKET_DEFINE
$GEO_DEFINE
if ( ! defined( 'ABSPATH' ) ) { define( 'ABSPATH', __DIR__ . '/' ); }
require_once ABSPATH . 'wp-settings.php';
PHP

# 3. Plugin: from the zip via install.php, or copied from source with the built engine.
if [ "$SW_PLUGIN_FROM" = src ]; then
  cp -R "$SW_REPO/wordpress-plugin/session-warden" "$SW_ROOT/site/wp-content/plugins/"
  # engine/ exactly as packaged (files, SHA256SUMS, modes), from scripts/package.sh's staging folder.
  staged=$SW_REPO/build/package/session-warden/engine
  [ -d "$staged" ] && cp -a "$staged" "$SW_ROOT/site/wp-content/plugins/session-warden/"
  zip_env=
else
  zip_env=$SW_ZIP
fi
SW_SITE=$SW_ROOT/site SW_ADMIN_USER=$SW_ADMIN_USER SW_ADMIN_PASS=$SW_ADMIN_PASS SW_PLUGIN_ZIP=$zip_env \
  php -d display_errors=stderr "$HERE/install.php" | tee "$SW_ROOT/logs/install.log" >&2
rm -rf "$SW_ROOT/site/wp-content/upgrade"
step "wordpress installed"

# 3b. SW_MULTISITE=1: the site becomes a subdirectory network (what Tools → Network Setup and its two
#     pasted snippets do). Apache's rewrite rules follow in step 5 (AllowOverride None: no .htaccess).
SITES_JSON=
if [ "$SW_MULTISITE" = 1 ]; then
  SW_SITE=$SW_ROOT/site SW_PORT=$SW_PORT SW_ADMIN_USER=$SW_ADMIN_USER \
    php -d display_errors=stderr "$HERE/network.php" network | tee -a "$SW_ROOT/logs/install.log" >&2
  # Each site keeps its own home/siteurl options, so the single-site WP_HOME/WP_SITEURL constants must go.
  MS_DEFINES="// SW_MULTISITE=1: a subdirectory network (network.php); every site keeps its own home and siteurl.
define( 'WP_ALLOW_MULTISITE', true ); define( 'MULTISITE', true ); define( 'SUBDOMAIN_INSTALL', false );
define( 'DOMAIN_CURRENT_SITE', '127.0.0.1:$SW_PORT' ); define( 'PATH_CURRENT_SITE', '/' );
define( 'SITE_ID_CURRENT_SITE', 1 ); define( 'BLOG_ID_CURRENT_SITE', 1 );" \
    php -r '$f = $argv[1]; $c = file_get_contents($f);
      $c = preg_replace("/^define\\( .WP_HOME.*\\n/m", getenv("MS_DEFINES") . "\n", $c, 1, $n);
      if ($n !== 1) { fwrite(STDERR, "no WP_HOME line in $f\n"); exit(1); }
      file_put_contents($f, $c);' "$SW_ROOT/site/wp-config.php"
  SITES_JSON=$(SW_SITE=$SW_ROOT/site SW_PORT=$SW_PORT SW_ADMIN_USER=$SW_ADMIN_USER \
    php -d display_errors=stderr "$HERE/network.php" sites) || sw_die "network.php sites failed"
  echo "network sites: $SITES_JSON" >> "$SW_ROOT/logs/install.log"
  step "multisite network: $SITES_JSON"
fi

# The web user owns wp-content like after an upload through wp-admin; logs are writable by it.
touch "$SW_ROOT/logs/wp-debug.log" "$SW_ROOT/logs/php-error.log"
if [ "$(id -u)" = 0 ]; then
  chown -R "$WEB_USER:$WEB_USER" "$SW_ROOT/site/wp-content" "$SW_ROOT/run/engine" "$SW_ROOT/logs/wp-debug.log" "$SW_ROOT/logs/php-error.log"
fi

# 4. Engine daemon, as the web user, from the installed plugin.
ENGINE_DIR=$SW_ROOT/site/wp-content/plugins/session-warden/engine
engine=false
if [ "$SW_ENGINE" = runtime ]; then
  step "no engine daemon (SW_ENGINE=runtime)"
elif [ -x "$ENGINE_DIR/session-warden-engine" ] && [ -f "$ENGINE_DIR/session-warden.cwasm" ]; then
  start_group "$SW_ROOT/run/engine.pid" "$SW_ROOT/logs/engine.log" \
    "${AS_WEB[@]}" "$ENGINE_DIR/session-warden-engine" serve --socket "$ENGINE_SOCK" --artifact "$ENGINE_DIR/session-warden.cwasm" "${GEO_ARGS[@]}"
  for _ in $(seq 100); do [ -S "$ENGINE_SOCK" ] && break; sleep 0.05; done
  if [ -S "$ENGINE_SOCK" ]; then engine=true; step "engine daemon up"
  else sw_die "the engine daemon did not create $ENGINE_SOCK: $(tail -5 "$SW_ROOT/logs/engine.log")"; fi
elif [ -d "$ENGINE_DIR" ]; then
  sw_die "the installed plugin's engine/ is incomplete or not executable: $(ls -l "$ENGINE_DIR" | tr '\n' ' ')"
else
  sw_log "warning: the plugin ships no engine/: no engine daemon (the engine tests will fail)"
fi

# 5. Apache prefork + mod_php, private config.
if [ "$SW_MULTISITE" = 1 ]; then
  # Core's rules for a subdirectory network (wp-admin/network.php): /second/wp-admin/… and /second/*.php
  # are served by the main files; the path still names the site.
  REWRITE_RULES='  RewriteRule ^([_0-9a-zA-Z-]+/)?wp-admin$ $1wp-admin/ [R=301,L]
  RewriteCond %{REQUEST_FILENAME} -f [OR]
  RewriteCond %{REQUEST_FILENAME} -d
  RewriteRule ^ - [L]
  RewriteRule ^([_0-9a-zA-Z-]+/)?(wp-(content|admin|includes).*) $2 [L]
  RewriteRule ^([_0-9a-zA-Z-]+/)?(.*\.php)$ $2 [L]
  RewriteRule . index.php [L]'
else
  REWRITE_RULES='  RewriteCond %{REQUEST_FILENAME} !-f
  RewriteCond %{REQUEST_FILENAME} !-d
  RewriteRule . /index.php [L]'
fi
M=/usr/lib/apache2/modules
A=$SW_ROOT/apache
{
  echo "ServerRoot $A"
  echo "DefaultRuntimeDir $A"
  echo "PidFile $A/httpd.pid"
  echo "Mutex file:$A default"
  echo "Listen 127.0.0.1:$SW_PORT"
  echo "ServerName 127.0.0.1:$SW_PORT"
  echo "ErrorLog $SW_ROOT/logs/apache-error.log"
  echo "LogLevel warn"
  echo 'LogFormat "%a %t \"%r\" %>s %b %Dus \"%{User-Agent}i\"" sw'
  echo "CustomLog $SW_ROOT/logs/apache-access.log sw"
  for m in mpm_prefork authz_core dir mime rewrite; do echo "LoadModule ${m}_module $M/mod_$m.so"; done
  echo "LoadModule php_module $M/$(cd $M && ls libphp8*.so | head -1)"
  [ "$(id -u)" = 0 ] && printf 'User %s\nGroup %s\n' "$WEB_USER" "$WEB_USER"
  cat <<CONF
StartServers $SW_CHILDREN
MinSpareServers $SW_CHILDREN
MaxSpareServers $SW_CHILDREN
ServerLimit $SW_CHILDREN
MaxRequestWorkers $SW_CHILDREN
MaxConnectionsPerChild 0
KeepAlive On
KeepAliveTimeout 2
TypesConfig /etc/mime.types
DocumentRoot $SW_ROOT/site
<Directory />
  Require all denied
  AllowOverride None
</Directory>
<Directory $SW_ROOT/site>
  Require all granted
  DirectoryIndex index.php index.html
  RewriteEngine On
  RewriteBase /
  RewriteRule ^index\.php$ - [L]
$REWRITE_RULES
</Directory>
<FilesMatch "\.php$">
  SetHandler application/x-httpd-php
</FilesMatch>
php_admin_value opcache.revalidate_freq 0
php_admin_flag log_errors on
php_admin_flag display_errors off
php_admin_value error_log $SW_ROOT/logs/php-error.log
CONF
  if [ "$SW_ENGINE" = runtime ]; then
    # disable_functions is php.ini-only: a private copy of Debian's Apache php.ini (conf.d still applies).
    mkdir -p "$A/php"
    sed 's/^disable_functions *=.*/disable_functions = proc_open,popen,exec,shell_exec,system,passthru/' \
      "/etc/php/$(php -r 'echo PHP_MAJOR_VERSION . "." . PHP_MINOR_VERSION;')/apache2/php.ini" > "$A/php/php.ini"
    echo "PHPINIDir $A/php"
  fi
  if [ "$SW_TEST_HOOKS" = 1 ]; then cat <<CONF
# TEST ONLY: the test client on 127.0.0.1 acts as a trusted proxy that names each "device" address.
LoadModule remoteip_module $M/mod_remoteip.so
RemoteIPHeader X-SW-Test-Client-IP
RemoteIPInternalProxy 127.0.0.1
CONF
  fi
} > "$A/httpd.conf"
/usr/sbin/apache2 -t -f "$A/httpd.conf" >"$SW_ROOT/logs/apache-configtest.log" 2>&1 || { cat "$SW_ROOT/logs/apache-configtest.log" >&2; sw_die "bad Apache config"; }
start_group "$SW_ROOT/run/apache.pid" "$SW_ROOT/logs/apache-stdout.log" /usr/sbin/apache2 -f "$A/httpd.conf" -DFOREGROUND
for _ in $(seq 200); do curl -fs -o /dev/null "$URL/wp-login.php" && break; sleep 0.05; done
curl -fs -o /dev/null "$URL/wp-login.php" || sw_die "Apache does not answer on $URL (see $SW_ROOT/logs/apache-error.log)"
step "apache up"

# 6. Describe the site for the tests.
SW_GEO_PATH=; [ "$SW_GEO" = 1 ] && SW_GEO_PATH=$GEO_DB
export SW_WP SW_PORT SW_ROOT URL SOCK ENGINE_SOCK ENGINE_DIR SW_ADMIN_USER SW_ADMIN_PASS SW_PLUGIN_FROM SW_TEST_HOOKS WEB_USER engine SW_GEO_PATH SW_ENGINE SITES_JSON
php -r '
$e = fn($k) => getenv($k);
echo json_encode([
  "wp_version" => $e("SW_WP"), "url" => $e("URL"), "port" => (int) $e("SW_PORT"), "root" => $e("SW_ROOT"),
  "site" => $e("SW_ROOT") . "/site", "web_user" => $e("WEB_USER"),
  "db" => ["socket" => $e("SOCK"), "name" => "wp", "user" => "wp", "password" => "wp", "prefix" => "wp_"],
  "admin" => ["user" => $e("SW_ADMIN_USER"), "password" => $e("SW_ADMIN_PASS")],
  "plugin" => ["from" => $e("SW_PLUGIN_FROM"), "main" => "session-warden/session-warden.php"],
  "engine" => ["dir" => $e("ENGINE_DIR"), "socket" => $e("ENGINE_SOCK"), "daemon" => $e("engine") === "true"],
  "test_hooks" => $e("SW_TEST_HOOKS") === "1", "test_ip_header" => "X-SW-Test-Client-IP",
  "geo_db" => $e("SW_GEO_PATH") ?: null, "engine_mode" => $e("SW_ENGINE"),
] + ($e("SITES_JSON") ? ["multisite" => true, "sites" => json_decode($e("SITES_JSON"), true, 8, JSON_THROW_ON_ERROR)] : []), JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES), "\n";' > "$SW_ROOT/env.json"
printf 'SW_ENV=%q\nSW_URL=%q\nSW_ROOT=%q\nSW_DB_SOCKET=%q\nSW_ENGINE_SOCKET=%q\n' "$SW_ROOT/env.json" "$URL" "$SW_ROOT" "$SOCK" "$ENGINE_SOCK" > "$SW_ROOT/env.sh"
step "ready: $URL"
