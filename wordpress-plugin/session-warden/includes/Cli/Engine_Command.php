<?php
/**
 * `wp session-warden engine status|start|stop`.
 *
 * @package SessionWarden
 */

namespace SessionWarden\Cli;

use SessionWarden\Cli;
use SessionWarden\Daemon;
use SessionWarden\Engine;
use SessionWarden\Engine_Panel;

/**
 * Shows which engine answers and starts or stops the engine daemon the plugin manages.
 *
 * The same figures and buttons as Tools → Session Warden Engine. Run these as the web server's user
 * (e.g. `sudo -u www-data wp …`): a daemon started by root runs as root, in a directory the web server
 * may not use.
 *
 * Exit codes: 0 success; 1 failure (no engine answers, the daemon could not be started or stopped, or
 * wp-config.php names a daemon the plugin does not manage); 2 bad usage (unknown format).
 */
final class Engine_Command extends \WP_CLI_Command {

	/**
	 * Shows the engine status, measured now: mode, version, artifact SHA-256, last error, round trips.
	 *
	 * ## OPTIONS
	 *
	 * [--format=<format>]
	 * : table (default), json or yaml.
	 *
	 * ## EXIT CODES
	 *
	 * 0 when an engine answered; 1 when none did (the status is still printed).
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp session-warden engine status
	 *     $ wp session-warden engine status --format=json | jq -r .mode
	 *
	 * @param string[] $args       Positional arguments (none).
	 * @param array    $assoc_args Options.
	 */
	public function status( array $args, array $assoc_args ): void {
		try {
			$format = Input::choice( $assoc_args, 'format', array( 'table', 'json', 'yaml' ), 'table' );
		} catch ( \InvalidArgumentException $e ) {
			Cli::usage_error( $e->getMessage() );
		}
		$doc = Rows::engine_status( Engine_Panel::status(), Engine::last_error() );
		if ( 'table' === $format ) {
			\WP_CLI\Utils\format_items( 'table', Rows::engine_rows( $doc ), array( 'field', 'value' ) );
		} elseif ( 'json' === $format ) {
			\WP_CLI::line( (string) wp_json_encode( $doc, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES ) );
		} else {
			\WP_CLI::print_value( $doc, array( 'format' => 'yaml' ) );
		}
		if ( null === $doc['serving'] ) {
			Cli::fail( __( 'No engine answered.', 'session-warden' ) );
		}
	}

	/**
	 * Starts the engine daemon the plugin manages (as on the Engine page).
	 *
	 * ## EXAMPLES
	 *
	 *     $ sudo -u www-data wp session-warden engine start
	 *     Success: The engine daemon was started on /tmp/session-warden-0123456789ab/engine.sock.
	 *
	 * @param string[] $args       Positional arguments (none).
	 * @param array    $assoc_args Options (none).
	 */
	public function start( array $args, array $assoc_args ): void {
		self::refuse_host_managed();
		if ( Daemon::running() ) {
			/* translators: %s: unix socket path. */
			\WP_CLI::success( sprintf( __( 'The engine daemon is already running on %s.', 'session-warden' ), Daemon::socket_path() ) );
			return;
		}
		$result = Daemon::start();
		if ( is_wp_error( $result ) ) {
			/* translators: %s: reason. */
			Cli::fail( sprintf( __( 'The engine daemon could not be started: %s', 'session-warden' ), $result->get_error_message() ) );
		}
		self::warn_if_root();
		/* translators: %s: unix socket path. */
		\WP_CLI::success( sprintf( __( 'The engine daemon was started on %s.', 'session-warden' ), Daemon::socket_path() ) );
	}

	/**
	 * Stops the engine daemon the plugin manages; it is not restarted until started again.
	 *
	 * ## EXAMPLES
	 *
	 *     $ sudo -u www-data wp session-warden engine stop
	 *     Success: The engine daemon was stopped.
	 *
	 * @param string[] $args       Positional arguments (none).
	 * @param array    $assoc_args Options (none).
	 */
	public function stop( array $args, array $assoc_args ): void {
		self::refuse_host_managed();
		$was = null !== Daemon::marker() || Daemon::running();
		if ( ! Daemon::stop() ) {
			Cli::fail( __( 'The engine daemon could not be stopped (is it running as another user?).', 'session-warden' ) );
		}
		\WP_CLI::success(
			$was
				? __( 'The engine daemon was stopped.', 'session-warden' )
				: __( 'No engine daemon started by the plugin was running.', 'session-warden' )
		);
	}

	/** Exits 1 when wp-config.php names the daemon's socket: the host runs that daemon, not the plugin. */
	private static function refuse_host_managed(): void {
		if ( Daemon::host_managed() ) {
			Cli::fail(
				/* translators: %s: unix socket path. */
				sprintf( __( 'The engine daemon is configured in wp-config.php (SESSION_WARDEN_ENGINE_SOCKET = %s); the host runs it, the plugin does not start or stop it.', 'session-warden' ), (string) SESSION_WARDEN_ENGINE_SOCKET )
			);
		}
	}

	/** A daemon root started runs as root, in a root-owned directory the web server will refuse to use. */
	private static function warn_if_root(): void {
		if ( function_exists( 'posix_geteuid' ) && 0 === posix_geteuid() ) {
			\WP_CLI::warning( __( 'Started as root: the web server (another user) cannot use this daemon. Stop it, and start it as the web server\'s user (e.g. sudo -u www-data wp session-warden engine start).', 'session-warden' ) );
		}
	}
}
