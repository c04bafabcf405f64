<?php
/**
 * `wp session-warden settings get|set|export|import`.
 *
 * @package SessionWarden
 */

namespace SessionWarden\Cli;

use SessionWarden\Cli;
use SessionWarden\Rest_Settings;
use SessionWarden\Settings;

/**
 * Reads and changes the settings document.
 *
 * Every change goes through Settings::save(), which lets the engine check the whole document: either all
 * of it is saved or nothing is, and each problem is printed on its own line. What `get` and `export`
 * show is the document the settings screen and REST API show: the stored settings with the engine's
 * defaults filled in.
 *
 * Exit codes: 0 success; 1 failure (the engine refused the settings, the file could not be read or
 * written, the engine could not be asked); 2 bad usage (malformed key, unknown format, --network on a
 * single site).
 *
 * ## EXAMPLES
 *
 *     $ wp session-warden settings get retention_days
 *     90
 *
 *     $ wp session-warden settings set retention_days 30
 *     Success: Saved retention_days.
 *
 *     $ wp session-warden settings export --file=settings.json
 *     $ wp session-warden settings import settings.json
 */
final class Settings_Command extends \WP_CLI_Command {

	/**
	 * Prints the settings document, or one setting.
	 *
	 * ## OPTIONS
	 *
	 * [<key>]
	 * : A setting, as a dotted path (retention_days, defaults.mode). Without it, the whole document.
	 *
	 * [--format=<format>]
	 * : json (default) or yaml.
	 *
	 * [--network]
	 * : The network's settings (multisite), instead of this site's.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp session-warden settings get
	 *     $ wp session-warden settings get defaults --format=yaml
	 *
	 * @param string[] $args       [key].
	 * @param array    $assoc_args Options.
	 */
	public function get( array $args, array $assoc_args ): void {
		try {
			$format = Input::choice( $assoc_args, 'format', array( 'json', 'yaml' ), 'json' );
			$path   = isset( $args[0] ) ? Input::path( $args[0] ) : array();
			$scope  = self::scope( $assoc_args );
		} catch ( \InvalidArgumentException $e ) {
			Cli::usage_error( $e->getMessage() );
		}
		$doc = self::document( $scope );
		if ( $path ) {
			[ $found, $value ] = Input::get_path( $doc, $path );
			if ( ! $found ) {
				/* translators: %s: settings key. */
				Cli::fail( sprintf( __( 'There is no setting %s.', 'session-warden' ), $args[0] ) );
			}
		} else {
			$value = $doc;
		}
		self::print_document( $value, $format );
	}

	/**
	 * Changes one setting and saves the document (the engine checks all of it first).
	 *
	 * ## OPTIONS
	 *
	 * <key>
	 * : A setting, as a dotted path (retention_days, defaults.mode, notifications.flagged).
	 *
	 * <value>
	 * : The new value: read as JSON when it is valid JSON (30, true, ["editor","author"], {"a":1}),
	 * otherwise taken as text.
	 *
	 * [--network]
	 * : Change the network's settings (multisite), instead of this site's.
	 *
	 * ## EXIT CODES
	 *
	 * 0 saved; 1 not saved (each problem on its own line: field, then message); 2 malformed key.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp session-warden settings set retention_days 30
	 *     $ wp session-warden settings set fail_closed_roles '["administrator"]'
	 *     $ wp session-warden settings set notifications.flagged true
	 *
	 * @param string[] $args       [key, value].
	 * @param array    $assoc_args Options.
	 */
	public function set( array $args, array $assoc_args ): void {
		try {
			$path  = Input::path( (string) ( $args[0] ?? '' ) );
			$scope = self::scope( $assoc_args );
			$doc   = Input::set_path( self::stored( $scope ), $path, Input::value( (string) ( $args[1] ?? '' ) ) );
		} catch ( \InvalidArgumentException $e ) {
			Cli::usage_error( $e->getMessage() );
		}
		self::save( $doc, $scope );
		/* translators: %s: settings key. */
		\WP_CLI::success( sprintf( __( 'Saved %s.', 'session-warden' ), $args[0] ) );
	}

	/**
	 * Writes the settings document as JSON, to a file or to standard output.
	 *
	 * The file is the same as the settings screen's export and can be imported on another site.
	 *
	 * ## OPTIONS
	 *
	 * [--file=<file>]
	 * : Write to this file (replaced if it exists) instead of standard output.
	 *
	 * [--network]
	 * : The network's settings (multisite), instead of this site's.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp session-warden settings export > settings.json
	 *     $ wp session-warden settings export --file=/root/session-warden.json
	 *
	 * @param string[] $args       Positional arguments (none).
	 * @param array    $assoc_args Options.
	 */
	public function export( array $args, array $assoc_args ): void {
		try {
			$scope = self::scope( $assoc_args );
		} catch ( \InvalidArgumentException $e ) {
			Cli::usage_error( $e->getMessage() );
		}
		$json = self::json( self::document( $scope ) ) . "\n";
		if ( ! isset( $assoc_args['file'] ) ) {
			\WP_CLI::line( rtrim( $json, "\n" ) );
			return;
		}
		$file = (string) $assoc_args['file'];
		if ( '' === $file || true === $assoc_args['file'] ) {
			Cli::usage_error( __( 'Give a file name: --file=<file>.', 'session-warden' ) );
		}
		if ( false === file_put_contents( $file, $json ) ) { // phpcs:ignore WordPress.WP.AlternativeFunctions
			/* translators: %s: file path. */
			Cli::fail( sprintf( __( 'Could not write %s.', 'session-warden' ), $file ) );
		}
		/* translators: %s: file path. */
		\WP_CLI::success( sprintf( __( 'Settings written to %s.', 'session-warden' ), $file ) );
	}

	/**
	 * Saves a settings document from a file (as `settings export` writes it), or from standard input.
	 *
	 * The engine checks the whole document first: either all of it is saved or nothing is.
	 *
	 * ## OPTIONS
	 *
	 * <file>
	 * : The JSON file, or - for standard input.
	 *
	 * [--network]
	 * : Save as the network's settings (multisite), instead of this site's.
	 *
	 * ## EXIT CODES
	 *
	 * 0 saved; 1 not saved (unreadable file, not a settings document, or each problem on its own line).
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp session-warden settings import settings.json
	 *     $ cat settings.json | wp session-warden settings import -
	 *
	 * @param string[] $args       [file].
	 * @param array    $assoc_args Options.
	 */
	public function import( array $args, array $assoc_args ): void {
		try {
			$scope = self::scope( $assoc_args );
		} catch ( \InvalidArgumentException $e ) {
			Cli::usage_error( $e->getMessage() );
		}
		$file = (string) ( $args[0] ?? '' );
		if ( '' === $file ) {
			Cli::usage_error( __( 'Give the settings file, or - for standard input.', 'session-warden' ) );
		}
		if ( '-' !== $file && ( ! is_file( $file ) || ! is_readable( $file ) ) ) {
			/* translators: %s: file path. */
			Cli::fail( sprintf( __( 'Cannot read %s.', 'session-warden' ), $file ) );
		}
		$json = file_get_contents( '-' === $file ? 'php://stdin' : $file ); // phpcs:ignore WordPress.WP.AlternativeFunctions
		try {
			$doc = Input::settings_document( (string) $json );
		} catch ( \UnexpectedValueException $e ) {
			Cli::fail( $e->getMessage() );
		}
		self::save( $doc, $scope );
		\WP_CLI::success( __( 'Settings imported.', 'session-warden' ) );
	}

	/**
	 * Saves a document; on failure prints each field problem on its own line and exits 1.
	 *
	 * @param array  $doc   Settings document.
	 * @param string $scope site | network.
	 */
	private static function save( array $doc, string $scope ): void {
		$saved = Settings::save( $doc, $scope );
		if ( ! is_wp_error( $saved ) ) {
			return;
		}
		$data   = $saved->get_error_data();
		$errors = is_array( $data ) && is_array( $data['errors'] ?? null ) ? $data['errors'] : array();
		if ( ! $errors ) {
			Cli::fail( $saved );
		}
		foreach ( $errors as $error ) {
			\WP_CLI::warning( trim( ( $error['field'] ?? '' ) . ': ' . ( $error['message'] ?? '' ), ': ' ) );
		}
		Cli::fail(
			/* translators: %d: number of problems. */
			sprintf( _n( 'The settings were not saved: %d problem.', 'The settings were not saved: %d problems.', count( $errors ), 'session-warden' ), count( $errors ) )
		);
	}

	/**
	 * The document as the settings screen shows it: stored, with the engine's defaults filled in.
	 *
	 * @param string $scope site | network.
	 */
	private static function document( string $scope ): array {
		return (array) Rest_Settings::describe( $scope )['settings'];
	}

	/**
	 * The stored document of a scope (what `set` changes one key of).
	 *
	 * @param string $scope site | network.
	 */
	private static function stored( string $scope ): array {
		$stored = 'network' === $scope ? get_site_option( Settings::OPTION ) : Settings::current();
		return is_array( $stored ) ? $stored : array();
	}

	/**
	 * --network: 'network' on multisite; a usage error on a single site.
	 *
	 * @param array $assoc_args Options.
	 * @throws \InvalidArgumentException On a single site.
	 */
	private static function scope( array $assoc_args ): string {
		if ( ! \WP_CLI\Utils\get_flag_value( $assoc_args, 'network', false ) ) {
			return 'site';
		}
		if ( ! is_multisite() ) {
			throw new \InvalidArgumentException( __( '--network needs a multisite network; this is a single site.', 'session-warden' ) );
		}
		return 'network';
	}

	/**
	 * Prints a value as pretty JSON or YAML.
	 *
	 * @param mixed  $value  Value.
	 * @param string $format json | yaml.
	 */
	private static function print_document( $value, string $format ): void {
		if ( 'yaml' === $format ) {
			\WP_CLI::print_value( $value, array( 'format' => 'yaml' ) );
			return;
		}
		\WP_CLI::line( self::json( $value ) );
	}

	/**
	 * @param mixed $value Value; an empty array is printed as {} (settings are objects).
	 */
	private static function json( $value ): string {
		return (string) wp_json_encode( array() === $value ? new \stdClass() : $value, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE );
	}
}
