<?php
/**
 * Daemon: the plugin starts, finds, restarts and stops the real engine daemon (inside the real WordPress).
 *
 * The harness runs as root while the site's web server runs as www-data, so every daemon here is
 * root-owned: each test gets its own run directory under the system temp dir (session_warden_run_dir
 * filter) and stops whatever it started, whatever happens (try/finally). The test bed's own daemon
 * (SESSION_WARDEN_ENGINE_SOCKET) is never touched.
 */

use SessionWarden\Daemon;
use SessionWarden\Engine_Client;

/** Every process serving $socket (pid => argv), found by command line in /proc. */
function sw_daemon_processes( string $socket ): array {
	$found = array();
	foreach ( glob( '/proc/[0-9]*' ) ?: array() as $dir ) {
		$cmdline = @file_get_contents( "$dir/cmdline" );
		if ( ! is_string( $cmdline ) || '' === $cmdline ) {
			continue;
		}
		$argv = explode( "\0", rtrim( $cmdline, "\0" ) );
		$at   = array_search( '--socket', $argv, true );
		if ( in_array( 'serve', $argv, true ) && false !== $at && ( $argv[ $at + 1 ] ?? null ) === $socket ) {
			$state = @file_get_contents( "$dir/stat" );
			if ( is_string( $state ) && 'Z' !== substr( $state, (int) strrpos( $state, ')' ) + 2, 1 ) ) {
				$found[ (int) basename( $dir ) ] = $argv;
			}
		}
	}
	return $found;
}

/** Waits until a process is gone (or 3 s). */
function sw_wait_gone( int $pid ): bool {
	for ( $i = 0; $i < 150; $i++ ) {
		$stat = @file_get_contents( "/proc/$pid/stat" );
		if ( ! is_string( $stat ) || 'Z' === substr( $stat, (int) strrpos( $stat, ')' ) + 2, 1 ) ) {
			return true;
		}
		usleep( 20000 );
	}
	return false;
}

/** Removes a directory tree. */
function sw_rm_tree( string $dir ): void {
	if ( is_link( $dir ) || is_file( $dir ) ) {
		unlink( $dir );
		return;
	}
	if ( ! is_dir( $dir ) ) {
		return;
	}
	foreach ( scandir( $dir ) as $name ) {
		if ( '.' !== $name && '..' !== $name ) {
			sw_rm_tree( "$dir/$name" );
		}
	}
	rmdir( $dir );
}

/**
 * Runs $fn( $run_dir ) with the plugin's daemon files in a fresh private temp dir (and, when given, the
 * engine from $engine_dir); afterwards stops every daemon on that socket and removes everything.
 */
function sw_with_daemon_sandbox( callable $fn, ?string $engine_dir = null ): void {
	$run_dir  = sys_get_temp_dir() . '/sw-daemon-test-' . getmypid() . '-' . bin2hex( random_bytes( 3 ) );
	$run      = static fn() => $run_dir;
	$engine   = static fn() => $engine_dir;
	$previous = get_site_option( Daemon::MARKER_OPTION );
	delete_site_option( Daemon::MARKER_OPTION );
	add_filter( 'session_warden_run_dir', $run );
	if ( null !== $engine_dir ) {
		add_filter( 'session_warden_daemon_engine_dir', $engine );
	}
	try {
		$fn( $run_dir );
	} finally {
		Daemon::stop();
		foreach ( array_keys( sw_daemon_processes( $run_dir . '/engine.sock' ) ) as $pid ) {
			posix_kill( $pid, SIGKILL );
			sw_wait_gone( $pid );
		}
		remove_filter( 'session_warden_run_dir', $run );
		remove_filter( 'session_warden_daemon_engine_dir', $engine );
		delete_site_option( Daemon::MARKER_OPTION );
		if ( is_array( $previous ) ) {
			update_site_option( Daemon::MARKER_OPTION, $previous );
		}
		sw_rm_tree( $run_dir );
	}
}

/** A client for the plugin daemon's socket only. */
function sw_daemon_client(): Engine_Client {
	return new Engine_Client( '/nonexistent/engine', '/nonexistent/a.cwasm', Daemon::socket_path() );
}

/** Pretends the last start attempt was $seconds ago (the restart throttle's stamp). */
function sw_backdate_stamp( int $seconds ): void {
	touch( Daemon::stamp_path(), time() - $seconds );
	clearstatcache();
}

sw_test(
	'start: the daemon answers "version" on its socket, detached, in a private directory; a second start is refused; stop removes it',
	function () {
		sw_require_engine();
		sw_with_daemon_sandbox(
			function ( string $run_dir ) {
				sw_assert( Daemon::can_start(), 'can_start: ' . ( Daemon::cannot_start_reason()?->get_error_message() ?? '' ) );
				sw_assert( ! Daemon::running(), 'nothing runs before start' );
				sw_assert_same( $run_dir . '/engine.sock', Daemon::socket_path() );

				$t0 = microtime( true );
				$r  = Daemon::start();
				sw_assert( true === $r, 'start: ' . ( is_wp_error( $r ) ? $r->get_error_message() : var_export( $r, true ) ) );
				sw_assert( microtime( true ) - $t0 < 2.5, 'start waits at most 2 s' );
				sw_assert( Daemon::running(), 'running() after start' );
				sw_assert_match( '/^session-warden\S* \d+\.\d+\.\d+/', sw_daemon_client()->version( Engine_Client::VIA_SOCKET ) );

				sw_assert_same( 0700, fileperms( $run_dir ) & 0777, 'run dir mode' );
				sw_assert_same( 0660, fileperms( Daemon::socket_path() ) & 0777, 'socket mode' );
				$procs = sw_daemon_processes( Daemon::socket_path() );
				sw_assert_same( 1, count( $procs ), 'one daemon process' );
				$pid = array_key_first( $procs );
				sw_assert_same( $pid, Daemon::pid(), 'the pid file names the daemon' );
				sw_assert_same( $pid . "\n", file_get_contents( Daemon::pid_path() ) );
				$stat = explode( ' ', substr( file_get_contents( "/proc/$pid/stat" ), strrpos( file_get_contents( "/proc/$pid/stat" ), ')' ) + 2 ) );
				sw_assert_same( $pid, (int) $stat[3], 'the daemon leads its own session (setsid)' );
				sw_assert( getmypid() !== (int) $stat[1], 'the daemon is not a child of PHP' );
				// The country database the site uses goes to the daemon too (the test bed sets one with SW_GEO).
				$geo = Engine_Client::configured_geo_db();
				sw_assert_same(
					array_merge(
						array( Daemon::engine_dir() . 'session-warden-engine', 'serve', '--socket', Daemon::socket_path(), '--artifact', Daemon::engine_dir() . 'session-warden.cwasm' ),
						'' !== $geo ? array( '--geo-db', $geo ) : array()
					),
					$procs[ $pid ],
					'argv'
				);
				if ( '' !== $geo ) {
					$meta = sw_daemon_client()->request( 'geo_info', array(), Engine_Client::VIA_SOCKET );
					sw_assert( is_array( $meta ) && isset( $meta['build_epoch'] ), 'the daemon answers country questions from it: ' . json_encode( $meta ) );
				}
				// Nothing PHP had open (database connection, the lock file, …) lives on in the daemon.
				$ours = array();
				foreach ( glob( '/proc/self/fd/*' ) as $fd ) {
					$target = @readlink( $fd );
					if ( is_string( $target ) && '/dev/null' !== $target && (int) basename( $fd ) > 2 ) {
						$ours[] = $target;
					}
				}
				sw_assert( count( $ours ) > 0, 'PHP has descriptors open (at least the database connection)' );
				$theirs = array_map( 'readlink', glob( "/proc/$pid/fd/*" ) );
				sw_assert_same( array(), array_values( array_intersect( $ours, $theirs ) ), 'descriptors the daemon inherited' );
				sw_assert( ! in_array( $run_dir . '/daemon.lock', $theirs, true ), 'the daemon does not hold the lock file' );

				$marker = Daemon::marker();
				sw_assert_same( Daemon::socket_path(), $marker['socket'] ?? null, 'marker socket' );
				sw_assert_same( $pid, $marker['pid'] ?? null, 'marker pid' );
				sw_assert( abs( time() - (int) $marker['started_at'] ) < 5, 'marker started_at' );

				$again = Daemon::start();
				sw_assert( is_wp_error( $again ), 'a second start is refused' );
				sw_assert_same( 'session_warden_daemon_running', $again->get_error_code() );
				sw_assert_same( array( $pid ), array_keys( sw_daemon_processes( Daemon::socket_path() ) ), 'still one daemon, the same one' );

				sw_assert( Daemon::stop(), 'stop' );
				sw_assert( sw_wait_gone( $pid ), 'the daemon exited' );
				sw_assert( ! file_exists( Daemon::socket_path() ), 'the socket file is gone' );
				sw_assert( ! file_exists( Daemon::pid_path() ), 'the pid file is gone' );
				sw_assert( ! Daemon::running(), 'running() after stop' );
				sw_assert_same( null, Daemon::marker(), 'stop forgets the daemon' );
				sw_assert_same( 'session_warden_daemon_not_managed', Daemon::ensure()->get_error_code(), 'ensure() does not bring back a stopped daemon' );
				sw_assert_same( array(), sw_daemon_processes( Daemon::socket_path() ) );
			}
		);
	}
);

sw_test(
	'the plugin daemon\'s socket is what Engine_Client uses when wp-config.php names none',
	function () {
		sw_require_engine();
		sw_with_daemon_sandbox(
			function () {
				sw_assert_same( null, Daemon::choose_socket( null, false ), 'no socket file: no socket' );
				sw_assert( true === Daemon::start(), 'start' );
				sw_assert_same( Daemon::socket_path(), Daemon::choose_socket( null, false ), 'no constant: the plugin daemon' );
				sw_assert_same( '/run/x.sock', Daemon::choose_socket( '/run/x.sock', true ), 'the constant wins' );
				sw_assert_same( '/run/y.sock', Daemon::choose_socket( '/run/y.sock', false ), 'another filter wins' );
				// The test bed defines SESSION_WARDEN_ENGINE_SOCKET: with it the filter keeps the host's socket.
				sw_assert_same( SESSION_WARDEN_ENGINE_SOCKET, Daemon::filter_socket( SESSION_WARDEN_ENGINE_SOCKET ) );

				sw_assert( false !== has_filter( 'session_warden_engine_socket', array( Daemon::class, 'filter_socket' ) ), 'Plugin::boot() hooked the filter' );
				$client = new Engine_Client(
					Daemon::engine_dir() . Engine_Client::BINARY,
					Daemon::engine_dir() . Engine_Client::ARTIFACT,
					Daemon::choose_socket( null, false )
				);
				sw_assert_match( '/^session-warden\S* \d+\.\d+\.\d+/', $client->version( Engine_Client::VIA_SOCKET ) );
			}
		);
	}
);

sw_test(
	'ensure() restarts a daemon that was killed (stale socket file left behind)',
	function () {
		sw_require_engine();
		sw_with_daemon_sandbox(
			function () {
				sw_assert( true === Daemon::start(), 'start' );
				$first = Daemon::pid();
				sw_assert( null !== $first, 'pid' );
				sw_assert( true === Daemon::ensure(), 'ensure() with the daemon up' );
				sw_assert_same( $first, Daemon::pid(), 'ensure() leaves a running daemon alone' );

				posix_kill( $first, SIGKILL );
				sw_assert( sw_wait_gone( $first ), 'killed' );
				sw_assert( file_exists( Daemon::socket_path() ), 'SIGKILL leaves the socket file' );
				sw_assert( ! Daemon::running(), 'nothing answers' );

				sw_backdate_stamp( Daemon::RESTART_INTERVAL + 1 );
				$r = Daemon::ensure();
				sw_assert( true === $r, 'ensure(): ' . ( is_wp_error( $r ) ? $r->get_error_message() : '' ) );
				sw_assert( Daemon::running(), 'running again' );
				$second = Daemon::pid();
				sw_assert( null !== $second && $first !== $second, 'a new process' );
				sw_assert_same( array( $second ), array_keys( sw_daemon_processes( Daemon::socket_path() ) ), 'exactly one daemon' );
				sw_assert_match( '/^session-warden/', sw_daemon_client()->version( Engine_Client::VIA_SOCKET ) );
			}
		);
	}
);

sw_test(
	'ensure() tries at most once per 30 s: no restart right after a start, none while another request holds the lock',
	function () {
		sw_require_engine();
		sw_with_daemon_sandbox(
			function ( string $run_dir ) {
				sw_assert( true === Daemon::start(), 'start' );
				$pid = Daemon::pid();
				posix_kill( $pid, SIGTERM );
				sw_assert( sw_wait_gone( $pid ), 'stopped behind the plugin\'s back' );
				sw_assert( ! file_exists( Daemon::socket_path() ), 'SIGTERM removes the socket' );

				// The start a moment ago counts as the last attempt.
				$r = Daemon::ensure();
				sw_assert( is_wp_error( $r ), 'throttled' );
				sw_assert_same( 'session_warden_daemon_throttled', $r->get_error_code() );
				sw_assert_same( array(), sw_daemon_processes( Daemon::socket_path() ), 'nothing was spawned' );

				// Another request is starting it: ensure() does not wait and does not spawn.
				sw_backdate_stamp( Daemon::RESTART_INTERVAL + 1 );
				// (flock locks belong to an open file description: a second fopen() conflicts, even in this process.)
				$lock = fopen( $run_dir . '/daemon.lock', 'c' );
				sw_assert( flock( $lock, LOCK_EX ), 'lock taken' );
				$t0 = microtime( true );
				$r  = Daemon::ensure();
				flock( $lock, LOCK_UN );
				fclose( $lock );
				sw_assert( is_wp_error( $r ) && 'session_warden_daemon_busy' === $r->get_error_code(), 'busy: ' . ( is_wp_error( $r ) ? $r->get_error_code() : var_export( $r, true ) ) );
				sw_assert( microtime( true ) - $t0 < 0.5, 'ensure() does not wait for the lock' );
				sw_assert_same( array(), sw_daemon_processes( Daemon::socket_path() ), 'nothing was spawned' );

				// 30 s later it tries again.
				sw_backdate_stamp( Daemon::RESTART_INTERVAL + 1 );
				sw_assert( true === Daemon::ensure(), 'restarted once the interval has passed' );
				sw_assert_same( 1, count( sw_daemon_processes( Daemon::socket_path() ) ) );
			}
		);
	}
);

sw_test(
	'admin page loads (check_throttled) find a dead daemon and restart it, and look at most once a minute',
	function () {
		sw_require_engine();
		sw_with_daemon_sandbox(
			function ( string $run_dir ) {
				sw_assert( true === Daemon::start(), 'start' );
				$first = Daemon::pid();
				posix_kill( $first, SIGKILL );
				sw_assert( sw_wait_gone( $first ), 'killed' );
				sw_backdate_stamp( Daemon::RESTART_INTERVAL + 1 );

				Daemon::check_throttled();
				sw_assert( Daemon::running(), 'the first admin page load restarted it' );
				$second = Daemon::pid();

				posix_kill( $second, SIGKILL );
				sw_assert( sw_wait_gone( $second ), 'killed again' );
				sw_backdate_stamp( Daemon::RESTART_INTERVAL + 1 );
				Daemon::check_throttled();
				sw_assert( ! Daemon::running(), 'a page load within the minute does not even look' );

				touch( $run_dir . '/checked.stamp', time() - Daemon::CHECK_INTERVAL - 1 );
				Daemon::check_throttled();
				sw_assert( Daemon::running(), 'a minute later it looks again and restarts it' );
			}
		);
	}
);

/** A copy of the engine folder under the temp dir with $setup applied; returns the folder (with slash). */
function sw_engine_copy( callable $setup ): string {
	global $sw_env;
	$dir = sys_get_temp_dir() . '/sw-daemon-engine-' . getmypid() . '-' . bin2hex( random_bytes( 3 ) );
	mkdir( $dir, 0755 );
	foreach ( array( Engine_Client::BINARY, Engine_Client::ARTIFACT ) as $name ) {
		copy( $sw_env['engine']['dir'] . '/' . $name, "$dir/$name" );
	}
	chmod( "$dir/" . Engine_Client::BINARY, 0755 );
	$setup( $dir );
	register_shutdown_function( static fn() => sw_rm_tree( $dir ) );
	return "$dir/";
}

sw_test(
	'start is refused without an executable engine binary, and a run directory others can write',
	function () {
		sw_require_engine();
		$missing = sw_engine_copy( static fn( $dir ) => unlink( "$dir/" . Engine_Client::BINARY ) );
		sw_with_daemon_sandbox(
			function ( string $run_dir ) {
				sw_assert( ! Daemon::can_start(), 'can_start() without a binary' );
				$r = Daemon::start();
				sw_assert( is_wp_error( $r ), 'start() without a binary' );
				sw_assert_same( 'session_warden_engine_missing', $r->get_error_code() );
				sw_assert( ! file_exists( $run_dir ), 'nothing was created' );
			},
			$missing
		);

		$not_exec = sw_engine_copy( static fn( $dir ) => chmod( "$dir/" . Engine_Client::BINARY, 0644 ) );
		sw_with_daemon_sandbox(
			function () {
				sw_assert( ! Daemon::can_start(), 'can_start() with a non-executable binary' );
				sw_assert_same( 'session_warden_engine_missing', Daemon::start()->get_error_code() );
			},
			$not_exec
		);

		$no_artifact = sw_engine_copy( static fn( $dir ) => unlink( "$dir/" . Engine_Client::ARTIFACT ) );
		sw_with_daemon_sandbox(
			function () {
				sw_assert( ! Daemon::can_start(), 'can_start() without the artifact' );
				sw_assert_same( 'session_warden_engine_missing', Daemon::start()->get_error_code() );
			},
			$no_artifact
		);

		sw_with_daemon_sandbox(
			function ( string $run_dir ) {
				mkdir( $run_dir, 0777 );
				chmod( $run_dir, 0777 );
				sw_assert( ! Daemon::can_start(), 'can_start() with a world-writable run dir' );
				sw_assert_same( 'session_warden_run_dir', Daemon::start()->get_error_code() );
				rmdir( $run_dir );
				$target = $run_dir . '-target';
				mkdir( $target, 0700 );
				symlink( $target, $run_dir );
				try {
					sw_assert_same( 'session_warden_run_dir', Daemon::start()->get_error_code(), 'a symlinked run dir' );
				} finally {
					unlink( $run_dir );
					rmdir( $target );
				}
				sw_assert_same( array(), sw_daemon_processes( Daemon::socket_path() ) );
			}
		);
	}
);

sw_test(
	'a broken engine: start fails fast with its stderr, and repeated ensure() calls spawn it once per 30 s',
	function () {
		sw_require_engine();
		$engine = sw_engine_copy(
			static function ( $dir ) {
				file_put_contents( "$dir/" . Engine_Client::BINARY, "#!/bin/sh\necho spawned >> \"$dir/spawns\"\necho 'engine: artifact refused' >&2\nexit 1\n" );
				chmod( "$dir/" . Engine_Client::BINARY, 0755 );
			}
		);
		sw_with_daemon_sandbox(
			function () use ( $engine ) {
				$t0 = microtime( true );
				$r  = Daemon::start();
				sw_assert( is_wp_error( $r ), 'start fails' );
				sw_assert_same( 'session_warden_daemon_start_failed', $r->get_error_code() );
				sw_assert( str_contains( $r->get_error_message(), 'engine: artifact refused' ), 'the message carries the engine\'s stderr: ' . $r->get_error_message() );
				sw_assert( microtime( true ) - $t0 < 1.5, 'an engine that exits at once is not waited for 2 s' );
				sw_assert_same( 1, substr_count( (string) file_get_contents( $engine . 'spawns' ), 'spawned' ) );

				// As if it had run before: many requests notice the outage at once.
				update_site_option(
					Daemon::MARKER_OPTION,
					array(
						'socket'     => Daemon::socket_path(),
						'pid'        => null,
						'started_at' => time() - 3600,
					)
				);
				sw_backdate_stamp( Daemon::RESTART_INTERVAL + 1 );
				$codes = array();
				for ( $i = 0; $i < 5; $i++ ) {
					$r       = Daemon::ensure();
					$codes[] = is_wp_error( $r ) ? $r->get_error_code() : 'ok';
				}
				sw_assert_same(
					array( 'session_warden_daemon_start_failed', 'session_warden_daemon_throttled', 'session_warden_daemon_throttled', 'session_warden_daemon_throttled', 'session_warden_daemon_throttled' ),
					$codes
				);
				sw_assert_same( 2, substr_count( (string) file_get_contents( $engine . 'spawns' ), 'spawned' ), 'one more spawn, not five' );
			},
			$engine
		);
	}
);
