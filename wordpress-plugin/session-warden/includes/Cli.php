<?php
/**
 * WP-CLI: `wp session-warden sessions|settings|engine|events`.
 *
 * The commands are thin wrappers over the classes the screens and REST use (Session_Directory,
 * Session_Actions, Settings, Engine_Panel, Daemon, Events): they read arguments, call one of those, and
 * print. What they parse (times, dotted settings paths, users) and how they shape rows is in Cli\Input
 * and Cli\Rows, which need no WP-CLI and are tested inside the real WordPress (tests/php/cli.test.php).
 *
 * Exit codes, the same for every command, so scripts can rely on them:
 *   0  success;
 *   1  failure, or partial failure (e.g. some of the given sessions could not be ended);
 *   2  bad usage the command detected itself (unknown format or field, conflicting flags, an unreadable
 *      time, a malformed settings path). WP-CLI's own synopsis check, which runs before the command (a
 *      missing required argument, an unknown --option), exits 1.
 *
 * Loaded only under WP-CLI (Plugin::boot() calls register() when WP_CLI is defined), so no web request
 * ever loads this file or the command classes.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Cli {

	public const EXIT_FAILURE = 1;
	public const EXIT_USAGE   = 2;

	/** The command groups, each a class in includes/Cli/. */
	public const COMMANDS = array(
		'session-warden sessions' => Cli\Sessions_Command::class,
		'session-warden settings' => Cli\Settings_Command::class,
		'session-warden engine'   => Cli\Engine_Command::class,
		'session-warden events'   => Cli\Events_Command::class,
	);

	/** Registers the commands with WP-CLI (class names: WP-CLI reflects them only when they are run or listed). */
	public static function register(): void {
		foreach ( self::COMMANDS as $name => $class ) {
			\WP_CLI::add_command( $name, $class );
		}
	}

	/**
	 * Stops the command: bad usage, exit code 2.
	 *
	 * @param string $message What was wrong with the arguments.
	 */
	public static function usage_error( string $message ): never {
		\WP_CLI::error( $message, self::EXIT_USAGE );
		exit( self::EXIT_USAGE ); // Not reached: WP_CLI::error() exits (or throws under WP_CLI::runcommand()).
	}

	/**
	 * Stops the command: failure, exit code 1.
	 *
	 * @param string|\WP_Error $message What failed.
	 */
	public static function fail( $message ): never {
		\WP_CLI::error( $message, self::EXIT_FAILURE );
		exit( self::EXIT_FAILURE ); // Not reached, as above.
	}
}
