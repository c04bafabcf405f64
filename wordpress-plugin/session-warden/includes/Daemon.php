<?php
/**
 * The engine daemon the plugin starts by itself, for hosts that allow it and run no daemon of their own.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

/**
 * Starts, finds, restarts and stops one `session-warden-engine serve` daemon per WordPress install (a
 * multisite network shares one: the engine keeps no per-site state, every request carries its settings).
 *
 * Where its files live (socket, pid file, lock, restart stamp, log): the run directory, which must not
 * be served by the web server and must not be writable by anyone else, because whoever can replace the
 * socket can answer the plugin's questions.
 * - `SESSION_WARDEN_RUN_DIR` (wp-config.php) when defined; else
 * - `sys_get_temp_dir()/session-warden-<12 hex>`, the hex being md5( ABSPATH . DB_NAME . $table_prefix ) so
 *   that two installs on one host never share a daemon; created with mode 0700. Not under uploads/ or
 *   wp-content/: those are web-served, and a web server config cannot be relied on to hide them. Under
 *   systemd's PrivateTmp the directory lives in PHP's private /tmp, which is also where the daemon it
 *   starts sees it.
 * The `session_warden_run_dir` filter can replace the default (not the constant). Whichever is used, the
 * directory is refused unless it is a real directory (not a symlink) owned by PHP's user and not writable
 * by group or others: the default name is predictable, so another local user could create it first.
 *
 * How it is started (no shell is ever involved, every command is an argv array): `setsid -f ENGINE serve
 * --socket … --artifact …` when util-linux's setsid exists, so the daemon has its own session, is not a
 * child of the web server process (no zombie, not stopped with the web server's process group) and
 * survives the request. Its pid is then found in /proc by its exact command line. Without setsid the
 * engine is started directly through proc_open and the process handle is deliberately never closed
 * (proc_close would wait for it to exit); it then stays a child of the PHP worker and may be stopped
 * together with it. stdin and stdout are /dev/null; stderr goes to engine.log in the run directory.
 *
 * Restarts: once the plugin has started a daemon it records that (site option `session_warden_daemon`),
 * and ensure() starts it again when it no longer answers. Every start attempt writes a stamp under a
 * file lock, and ensure() makes at most one attempt per RESTART_INTERVAL seconds, so a broken binary
 * cannot cause a spawn storm even when many requests notice the outage at once. The stamp is a file
 * in the run directory rather than an option: the check and the write happen under the same flock, with
 * no object cache in between, so two PHP workers cannot both decide to spawn.
 */
final class Daemon {

	/** Site option: {socket, pid, started_at} while the plugin manages a daemon. */
	public const MARKER_OPTION = 'session_warden_daemon';

	/** Seconds between two automatic restart attempts. */
	public const RESTART_INTERVAL = 30;

	/** Seconds between two liveness checks made by administrators' page loads (admin_check()). */
	public const CHECK_INTERVAL = 60;

	/** Seconds start() waits for the new daemon to answer `version`. */
	public const START_WAIT = 2.0;

	/** Unix socket paths longer than this do not fit in sockaddr_un. */
	private const MAX_SOCKET_PATH = 104;

	/** @var array<int, resource> Handles of daemons started without setsid: kept open on purpose. */
	private static array $children = array();

	/** Whether ensure() is already queued for the end of this request. */
	private static bool $queued = false;

	/**
	 * `session_warden_engine_socket` filter: when wp-config.php names no socket and nothing else supplied
	 * one, the plugin's own daemon socket, if its file exists.
	 *
	 * @param string|null $socket Socket so far.
	 * @return string|null
	 */
	public static function filter_socket( $socket ) {
		return self::choose_socket( $socket, self::host_managed() );
	}

	/**
	 * The decision behind filter_socket(): a socket from wp-config.php or from another filter wins; else
	 * the plugin's daemon socket when its file exists (a stale file costs one refused connect, after which
	 * Engine_Client falls back to a process).
	 *
	 * @param string|null $socket       Socket so far.
	 * @param bool        $host_managed Whether SESSION_WARDEN_ENGINE_SOCKET is defined.
	 * @return string|null
	 */
	public static function choose_socket( $socket, bool $host_managed ) {
		if ( $host_managed || ( is_string( $socket ) && '' !== $socket ) ) {
			return $socket;
		}
		$path = self::socket_path();
		return file_exists( $path ) ? $path : $socket;
	}

	/** Whether the host names its own daemon in wp-config.php (then the plugin never starts one). */
	public static function host_managed(): bool {
		return defined( 'SESSION_WARDEN_ENGINE_SOCKET' );
	}

	/** The run directory, without a trailing slash (see the class docblock). */
	public static function run_dir(): string {
		if ( defined( 'SESSION_WARDEN_RUN_DIR' ) ) {
			return untrailingslashit( (string) SESSION_WARDEN_RUN_DIR );
		}
		global $table_prefix;
		$default = untrailingslashit( sys_get_temp_dir() ) . '/session-warden-'
			. substr( md5( ABSPATH . ( defined( 'DB_NAME' ) ? DB_NAME : '' ) . (string) $table_prefix ), 0, 12 );
		/**
		 * Filters the directory of the plugin-started engine daemon's socket, pid file and log.
		 * It must not be web-served; it is refused unless owned by PHP's user and not writable by others.
		 *
		 * @param string $dir Default: a private directory under sys_get_temp_dir().
		 */
		return untrailingslashit( (string) apply_filters( 'session_warden_run_dir', $default ) );
	}

	/** The plugin-started daemon's unix socket. */
	public static function socket_path(): string {
		return self::run_dir() . '/engine.sock';
	}

	/** The file holding the plugin-started daemon's process id. */
	public static function pid_path(): string {
		return self::run_dir() . '/engine.pid';
	}

	/** The file that records the last start attempt (for the restart throttle). */
	public static function stamp_path(): string {
		return self::run_dir() . '/restart.stamp';
	}

	/** The daemon's stderr. */
	public static function log_path(): string {
		return self::run_dir() . '/engine.log';
	}

	/** The engine folder the daemon runs from (filter `session_warden_daemon_engine_dir`), with a trailing slash. */
	public static function engine_dir(): string {
		/**
		 * Filters the folder holding the engine binary and artifact the plugin-started daemon runs.
		 *
		 * @param string $dir Default: the plugin's engine/ folder.
		 */
		return trailingslashit( (string) apply_filters( 'session_warden_daemon_engine_dir', PLUGIN_DIR . 'engine/' ) );
	}

	private static function binary(): string {
		return self::engine_dir() . Engine_Client::BINARY;
	}

	private static function artifact(): string {
		return self::engine_dir() . Engine_Client::ARTIFACT;
	}

	/**
	 * Why the plugin cannot start a daemon here, or null when it can: proc_open available, the engine
	 * binary executable, its artifact present, and the run directory usable (or creatable).
	 */
	public static function cannot_start_reason(): ?\WP_Error {
		if ( ! function_exists( 'proc_open' ) ) {
			return new \WP_Error( 'session_warden_no_proc_open', __( 'PHP\'s proc_open is disabled on this server.', 'session-warden' ) );
		}
		if ( ! is_file( self::binary() ) || ! is_executable( self::binary() ) ) {
			return new \WP_Error(
				'session_warden_engine_missing',
				/* translators: %s: file path. */
				sprintf( __( 'The engine binary %s is missing or not executable.', 'session-warden' ), self::binary() )
			);
		}
		if ( ! is_file( self::artifact() ) ) {
			return new \WP_Error(
				'session_warden_engine_missing',
				/* translators: %s: file path. */
				sprintf( __( 'The engine artifact %s is missing.', 'session-warden' ), self::artifact() )
			);
		}
		if ( strlen( self::socket_path() ) > self::MAX_SOCKET_PATH ) {
			return new \WP_Error(
				'session_warden_run_dir',
				/* translators: %s: file path. */
				sprintf( __( 'The socket path %s is too long for a unix socket.', 'session-warden' ), self::socket_path() )
			);
		}
		$dir = self::run_dir();
		if ( file_exists( $dir ) || is_link( $dir ) ) {
			return self::check_run_dir( $dir );
		}
		if ( ! is_writable( dirname( $dir ) ) ) {
			return new \WP_Error(
				'session_warden_run_dir',
				/* translators: %s: directory path. */
				sprintf( __( 'The directory %s cannot be created.', 'session-warden' ), $dir )
			);
		}
		return null;
	}

	/** Whether the host allows the plugin to start the engine daemon (see cannot_start_reason()). */
	public static function can_start(): bool {
		return null === self::cannot_start_reason();
	}

	/** Whether the plugin-started daemon answers `version` on its socket. */
	public static function running(): bool {
		$socket = self::socket_path();
		if ( ! file_exists( $socket ) ) {
			return false;
		}
		try {
			( new Engine_Client( self::binary(), self::artifact(), $socket, 1.0 ) )->version( Engine_Client::VIA_SOCKET );
			return true;
		} catch ( Engine_Error $e ) {
			return false;
		}
	}

	/** What the plugin recorded when it started the daemon ({socket, pid, started_at}), or null. */
	public static function marker(): ?array {
		// Read on administrators' page loads (admin_check()); '' when stored as missing: no daemon.
		$marker = Settings::network_option( self::MARKER_OPTION, '' );
		return is_array( $marker ) ? $marker : null;
	}

	/**
	 * Starts the daemon and waits up to START_WAIT seconds for it to answer.
	 *
	 * @return true|\WP_Error `session_warden_daemon_running` when one already answers on the socket.
	 */
	public static function start() {
		return self::start_locked( false );
	}

	/**
	 * Starts the daemon again if the plugin started it before and it no longer answers; at most one
	 * attempt per RESTART_INTERVAL seconds, and never while another request is starting it.
	 *
	 * @return true|\WP_Error True when the daemon answers (already, or after the restart).
	 */
	public static function ensure() {
		if ( null === self::marker() ) {
			return new \WP_Error( 'session_warden_daemon_not_managed', __( 'The plugin has not started an engine daemon.', 'session-warden' ) );
		}
		if ( self::running() ) {
			return true;
		}
		return self::start_locked( true );
	}

	/**
	 * `admin_init`: administrators' page loads check that a daemon the plugin started still answers, at
	 * most once per CHECK_INTERVAL. Page views with a kept verdict never ask the engine, so without this a
	 * dead daemon would go unnoticed until the next login; checking on every page would cost each admin
	 * page a socket round trip. The throttle is a file's mtime: a stat, no database write.
	 */
	public static function admin_check(): void {
		if ( wp_doing_ajax() || self::host_managed() || ! current_user_can( 'manage_options' ) ) {
			return;
		}
		self::check_throttled();
	}

	/** ensure(), unless the previous check was less than CHECK_INTERVAL seconds ago (see admin_check()). */
	public static function check_throttled(): void {
		if ( null === self::marker() ) {
			return;
		}
		$stamp = self::run_dir() . '/checked.stamp';
		clearstatcache( true, $stamp );
		$last  = @filemtime( $stamp ); // phpcs:ignore WordPress.PHP.NoSilencedErrors -- a missing file means "never checked".
		if ( false !== $last && time() - $last < self::CHECK_INTERVAL ) {
			return;
		}
		@touch( $stamp ); // phpcs:ignore WordPress.PHP.NoSilencedErrors -- an unwritable run dir only disables the throttle.
		self::ensure();
	}

	/**
	 * Restarts the daemon the plugin started, if any, so that it reads what changed on disk (an uploaded
	 * or removed country database). A daemon the host runs is left alone: its command line is the host's.
	 *
	 * @return true|\WP_Error|null Null when the plugin manages no daemon.
	 */
	public static function reload() {
		if ( self::host_managed() || null === self::marker() ) {
			return null;
		}
		self::stop();
		return self::start();
	}

	/** `session_warden_daemon_unreachable`: run ensure() once, when the request is over. */
	public static function queue_ensure(): void {
		if ( self::$queued || self::host_managed() || null === self::marker() ) {
			return;
		}
		self::$queued = true;
		add_action( 'shutdown', array( self::class, 'ensure' ), 100 );
	}

	/**
	 * Stops the plugin-started daemon (SIGTERM, then SIGKILL after 2 s) and forgets it, so ensure() does
	 * not start it again.
	 *
	 * @return bool True when no plugin-started daemon runs any more.
	 */
	public static function stop(): bool {
		delete_site_option( self::MARKER_OPTION );
		$socket = self::socket_path();
		$pid    = self::pid() ?? self::find_pid();
		if ( null === $pid ) {
			// Nothing we can signal. A leftover socket file that nothing answers on is removed.
			if ( file_exists( $socket ) && ! self::running() ) {
				wp_delete_file( $socket );
			}
			Engine::reset();
			return ! self::running();
		}
		self::signal( $pid, 15 );
		$deadline = microtime( true ) + 2.0;
		while ( self::alive( $pid ) && microtime( true ) < $deadline ) {
			usleep( 20000 );
		}
		if ( self::alive( $pid ) ) {
			self::signal( $pid, 9 );
			usleep( 100000 );
		}
		$stopped = ! self::alive( $pid );
		if ( $stopped ) {
			if ( file_exists( $socket ) ) {
				wp_delete_file( $socket );
			}
			wp_delete_file( self::pid_path() );
		}
		Engine::reset();
		return $stopped;
	}

	/** The plugin-started daemon's process id, when the pid file names a live engine on our socket. */
	public static function pid(): ?int {
		$file = self::pid_path();
		if ( ! is_file( $file ) ) {
			return null;
		}
		$pid = (int) trim( (string) file_get_contents( $file ) ); // phpcs:ignore WordPress.WP.AlternativeFunctions
		return $pid > 1 && self::alive( $pid ) && self::is_our_engine( $pid ) ? $pid : null;
	}

	/**
	 * The start itself, under the run directory's lock.
	 *
	 * @param bool $throttled Automatic restart: skip when locked or when the last attempt is too recent.
	 * @return true|\WP_Error
	 */
	private static function start_locked( bool $throttled ) {
		$reason = self::cannot_start_reason();
		if ( null !== $reason ) {
			return $reason;
		}
		$dir = self::prepare_run_dir();
		if ( is_wp_error( $dir ) ) {
			return $dir;
		}
		$lock = fopen( $dir . '/daemon.lock', 'c' ); // phpcs:ignore WordPress.WP.AlternativeFunctions
		if ( false === $lock ) {
			return new \WP_Error( 'session_warden_run_dir', __( 'Could not open the daemon lock file.', 'session-warden' ) );
		}
		try {
			if ( ! flock( $lock, $throttled ? LOCK_EX | LOCK_NB : LOCK_EX ) ) {
				return new \WP_Error( 'session_warden_daemon_busy', __( 'Another request is starting the engine daemon.', 'session-warden' ) );
			}
			if ( self::running() ) {
				self::remember( self::pid() );
				return $throttled ? true : new \WP_Error( 'session_warden_daemon_running', __( 'The engine daemon is already running.', 'session-warden' ) );
			}
			$stamp = self::stamp_path();
			clearstatcache( true, $stamp );
			if ( $throttled && is_file( $stamp ) && time() - (int) filemtime( $stamp ) < self::RESTART_INTERVAL ) {
				return new \WP_Error(
					'session_warden_daemon_throttled',
					/* translators: %d: seconds. */
					sprintf( __( 'The engine daemon was last started less than %d seconds ago; not trying again yet.', 'session-warden' ), self::RESTART_INTERVAL )
				);
			}
			touch( $stamp );
			return self::spawn();
		} finally {
			flock( $lock, LOCK_UN );
			fclose( $lock ); // phpcs:ignore WordPress.WP.AlternativeFunctions
		}
	}

	/**
	 * Spawns the engine (the lock is held) and waits for it to answer.
	 *
	 * @return true|\WP_Error
	 */
	private static function spawn() {
		$socket = self::socket_path();
		// A daemon that hangs, or a socket file left by one that was killed: clear both first.
		$old = self::pid();
		if ( null !== $old ) {
			self::signal( $old, 9 );
			usleep( 50000 );
		}
		if ( file_exists( $socket ) ) {
			wp_delete_file( $socket );
		}
		wp_delete_file( self::pid_path() );

		$log = self::log_path();
		if ( is_file( $log ) && filesize( $log ) > MB_IN_BYTES ) {
			rename( $log, $log . '.1' ); // phpcs:ignore WordPress.WP.AlternativeFunctions
		}

		$argv = array( self::binary(), 'serve', '--socket', $socket, '--artifact', self::artifact() );
		// A daemon answers country lookups only from the database it was started with (see reload()).
		$geo = Engine_Client::configured_geo_db();
		if ( '' !== $geo && is_readable( $geo ) ) {
			array_push( $argv, '--geo-db', $geo );
		}
		$setsid = self::setsid();
		if ( null !== $setsid ) {
			array_unshift( $argv, $setsid, '-f' );
		}
		$pipes   = array();
		$process = proc_open(
			$argv,
			self::descriptors( $log ),
			$pipes,
			self::run_dir(),
			array(
				'LC_ALL' => 'C',
				'PATH'   => '/usr/sbin:/usr/bin:/sbin:/bin',
			)
		);
		if ( ! is_resource( $process ) ) {
			return new \WP_Error( 'session_warden_daemon_spawn', __( 'Could not start the engine daemon process.', 'session-warden' ) );
		}
		$pid = null;
		if ( null !== $setsid ) {
			proc_close( $process ); // setsid -f returns as soon as it has forked the daemon.
		} else {
			$pid              = (int) proc_get_status( $process )['pid'];
			self::$children[] = $process; // Never proc_close()d: that would wait for the daemon to exit.
		}

		$t0       = microtime( true );
		$deadline = $t0 + self::START_WAIT;
		$checked  = $t0;
		do {
			usleep( 20000 );
			if ( self::running() ) {
				$pid ??= self::find_pid();
				if ( null !== $pid ) {
					file_put_contents( self::pid_path(), $pid . "\n" ); // phpcs:ignore WordPress.WP.AlternativeFunctions
				}
				self::remember( $pid );
				Engine::reset();
				return true;
			}
			// An engine that exited at once (bad artifact, wrong architecture) need not be waited for.
			$now = microtime( true );
			if ( $now - $t0 > 0.25 && $now - $checked > 0.1 ) {
				$checked = $now;
				$exited  = null === $pid
					? is_dir( '/proc/self' ) && null === self::find_pid()
					: ! self::alive( $pid );
				if ( $exited ) {
					break;
				}
			}
		} while ( microtime( true ) < $deadline );

		$pid ??= self::find_pid();
		if ( null !== $pid ) {
			self::signal( $pid, 9 );
		}
		$tail = is_readable( $log ) ? trim( substr( (string) file_get_contents( $log ), -500 ) ) : ''; // phpcs:ignore WordPress.WP.AlternativeFunctions
		return new \WP_Error(
			'session_warden_daemon_start_failed',
			sprintf(
				/* translators: 1: seconds, 2: the daemon's last log lines. */
				__( 'The engine daemon exited or did not answer within %1$s seconds. %2$s', 'session-warden' ),
				number_format_i18n( self::START_WAIT, 0 ),
				$tail
			)
		);
	}

	/**
	 * The daemon's descriptors: stdin and stdout /dev/null, stderr the log, and /dev/null over every other
	 * descriptor this PHP process has open. proc_open() passes those on to the child, and PHP opens most of
	 * its files and sockets without close-on-exec: without this the daemon would keep, for its whole life,
	 * the web server's client connection, the database connection, the run directory's lock and whatever
	 * else the request had open.
	 *
	 * @param string $log Log file.
	 * @return array<int, array>
	 */
	private static function descriptors( string $log ): array {
		$spec = array(
			0 => array( 'file', '/dev/null', 'r' ),
			1 => array( 'file', '/dev/null', 'w' ),
			2 => array( 'file', $log, 'a' ),
		);
		foreach ( @scandir( '/proc/self/fd' ) ?: array() as $fd ) { // phpcs:ignore WordPress.PHP.NoSilencedErrors
			if ( ctype_digit( (string) $fd ) && (int) $fd > 2 ) {
				$spec[ (int) $fd ] = array( 'file', '/dev/null', 'r' );
			}
		}
		return $spec;
	}

	/**
	 * Records the running daemon in the marker option (what ensure() restarts).
	 *
	 * @param int|null $pid Process id, when known.
	 */
	private static function remember( ?int $pid ): void {
		$marker = self::marker();
		$marker = array(
			'socket'     => self::socket_path(),
			'pid'        => $pid,
			'started_at' => is_array( $marker ) && $pid === ( $marker['pid'] ?? null ) ? (int) $marker['started_at'] : time(),
		);
		if ( is_multisite() ) {
			update_site_option( self::MARKER_OPTION, $marker );
		} else {
			update_option( self::MARKER_OPTION, $marker, true ); // Autoloaded: admin_check() reads it.
		}
	}

	/**
	 * Creates the run directory (0700) if needed and checks it.
	 *
	 * @return string|\WP_Error The directory.
	 */
	private static function prepare_run_dir() {
		$dir = self::run_dir();
		if ( ! file_exists( $dir ) && ! is_link( $dir ) ) {
			$umask = umask( 077 );
			$made  = mkdir( $dir, 0700 ); // phpcs:ignore WordPress.WP.AlternativeFunctions
			umask( $umask );
			if ( ! $made && ! is_dir( $dir ) ) {
				return new \WP_Error(
					'session_warden_run_dir',
					/* translators: %s: directory path. */
					sprintf( __( 'Could not create the directory %s.', 'session-warden' ), $dir )
				);
			}
		}
		$error = self::check_run_dir( $dir );
		return null === $error ? $dir : $error;
	}

	/**
	 * A run directory must be a real directory, owned by PHP's user, not writable by group or others.
	 *
	 * @param string $dir Directory.
	 */
	private static function check_run_dir( string $dir ): ?\WP_Error {
		clearstatcache( true, $dir );
		$stat = is_link( $dir ) ? false : @stat( $dir ); // phpcs:ignore WordPress.PHP.NoSilencedErrors
		$uid  = function_exists( 'posix_geteuid' ) ? posix_geteuid() : getmyuid();
		if ( false === $stat || ! is_dir( $dir ) || $stat['uid'] !== $uid || 0 !== ( $stat['mode'] & 0022 ) ) {
			return new \WP_Error(
				'session_warden_run_dir',
				/* translators: %s: directory path. */
				sprintf( __( 'The directory %s is not a private directory of the web server\'s user (it must not be a symlink, must be owned by that user and must not be writable by others).', 'session-warden' ), $dir )
			);
		}
		return null;
	}

	/** util-linux's setsid, when installed. */
	private static function setsid(): ?string {
		foreach ( array( '/usr/bin/setsid', '/bin/setsid' ) as $path ) {
			if ( is_file( $path ) && is_executable( $path ) ) {
				return $path;
			}
		}
		return null;
	}

	/** The process in /proc whose command line is our daemon's (serve on our socket), if any. */
	private static function find_pid(): ?int {
		foreach ( glob( '/proc/[0-9]*', GLOB_ONLYDIR ) ?: array() as $dir ) {
			$pid = (int) basename( $dir );
			if ( self::is_our_engine( $pid ) ) {
				return $pid;
			}
		}
		return null;
	}

	/**
	 * Whether a process is the engine serving our socket: guards against a recycled pid. Without /proc
	 * the pid file is trusted.
	 *
	 * @param int $pid Process id.
	 */
	private static function is_our_engine( int $pid ): bool {
		if ( ! is_dir( '/proc/self' ) ) {
			return true;
		}
		$cmdline = @file_get_contents( "/proc/$pid/cmdline" ); // phpcs:ignore WordPress.PHP.NoSilencedErrors, WordPress.WP.AlternativeFunctions
		if ( ! is_string( $cmdline ) || '' === $cmdline ) {
			return false;
		}
		$argv = explode( "\0", rtrim( $cmdline, "\0" ) );
		$at   = array_search( '--socket', $argv, true );
		return Engine_Client::BINARY === basename( $argv[0] ) && in_array( 'serve', $argv, true )
			&& false !== $at && ( $argv[ $at + 1 ] ?? null ) === self::socket_path();
	}

	/**
	 * Whether a process exists (a zombie counts as gone).
	 *
	 * @param int $pid Process id.
	 */
	private static function alive( int $pid ): bool {
		if ( is_dir( '/proc/self' ) ) {
			$stat = @file_get_contents( "/proc/$pid/stat" ); // phpcs:ignore WordPress.PHP.NoSilencedErrors, WordPress.WP.AlternativeFunctions
			if ( ! is_string( $stat ) ) {
				return false;
			}
			// "pid (comm) S …": the state follows the last ')'.
			$state = substr( $stat, (int) strrpos( $stat, ')' ) + 2, 1 );
			if ( 'Z' === $state || 'X' === $state ) {
				self::reap();
				return false;
			}
			return true;
		}
		return function_exists( 'posix_kill' ) ? posix_kill( $pid, 0 ) : false;
	}

	/** Collects the exit status of daemons this process started without setsid and that have exited. */
	private static function reap(): void {
		foreach ( self::$children as $i => $process ) {
			if ( ! proc_get_status( $process )['running'] ) {
				proc_close( $process );
				unset( self::$children[ $i ] );
			}
		}
	}

	/**
	 * Sends a signal: posix_kill when available, else the kill command (argv, no shell).
	 *
	 * @param int $pid    Process id.
	 * @param int $signal 15 (TERM) or 9 (KILL).
	 */
	private static function signal( int $pid, int $signal ): bool {
		if ( function_exists( 'posix_kill' ) ) {
			return posix_kill( $pid, $signal );
		}
		if ( ! function_exists( 'proc_open' ) ) {
			return false;
		}
		$pipes   = array();
		$process = proc_open(
			array( 'kill', '-' . $signal, (string) $pid ),
			array(
				0 => array( 'file', '/dev/null', 'r' ),
				1 => array( 'file', '/dev/null', 'w' ),
				2 => array( 'file', '/dev/null', 'w' ),
			),
			$pipes,
			null,
			array( 'PATH' => '/usr/bin:/bin' )
		);
		return is_resource( $process ) && 0 === proc_close( $process );
	}
}
