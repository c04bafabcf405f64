<?php
/**
 * What the WP-CLI commands read from their arguments: options checked against their allowed values, users
 * by ID, login or e-mail, times (Unix, relative such as 2h, or a date), dotted settings paths and values
 * given as JSON or plain text.
 *
 * Nothing here uses WP-CLI, so it is tested inside the real WordPress (tests/php/cli.test.php). A bad
 * argument throws \InvalidArgumentException with a message for the person who typed it; the commands turn
 * that into exit code 2 (Cli::usage_error()).
 *
 * @package SessionWarden
 */

namespace SessionWarden\Cli;

final class Input {

	/** Seconds per unit of a relative time (`30m`, `2h`, `7d`, `1w`; `s` for seconds). */
	public const UNITS = array(
		's' => 1,
		'm' => 60,
		'h' => 3600,
		'd' => 86400,
		'w' => 604800,
	);

	/**
	 * One option that must be one of a few words.
	 *
	 * @param array    $assoc_args The command's associative arguments.
	 * @param string   $key        Option name (without --).
	 * @param string[] $allowed    Allowed values.
	 * @param string   $fallback   Value when the option is absent.
	 * @throws \InvalidArgumentException When the value is not allowed.
	 */
	public static function choice( array $assoc_args, string $key, array $allowed, string $fallback ): string {
		if ( ! array_key_exists( $key, $assoc_args ) ) {
			return $fallback;
		}
		$value = $assoc_args[ $key ];
		if ( ! is_string( $value ) || ! in_array( $value, $allowed, true ) ) {
			throw new \InvalidArgumentException(
				/* translators: 1: option name, 2: value given, 3: allowed values. */
				sprintf( __( 'Invalid --%1$s: %2$s. Use one of: %3$s.', 'session-warden' ), $key, self::show( $value ), implode( ', ', $allowed ) )
			);
		}
		return $value;
	}

	/**
	 * One whole-number option within bounds.
	 *
	 * @param array    $assoc_args The command's associative arguments.
	 * @param string   $key        Option name.
	 * @param int      $min        Smallest allowed value.
	 * @param int      $max        Largest allowed value.
	 * @param int|null $fallback   Value when the option is absent.
	 * @throws \InvalidArgumentException When it is not a whole number in [min, max].
	 */
	public static function integer( array $assoc_args, string $key, int $min, int $max, ?int $fallback ): ?int {
		if ( ! array_key_exists( $key, $assoc_args ) ) {
			return $fallback;
		}
		$value = $assoc_args[ $key ];
		if ( ! is_string( $value ) || ! preg_match( '/^\d{1,9}$/', $value ) || (int) $value < $min || (int) $value > $max ) {
			throw new \InvalidArgumentException(
				/* translators: 1: option name, 2: value given, 3: smallest, 4: largest allowed number. */
				sprintf( __( 'Invalid --%1$s: %2$s. Use a whole number from %3$d to %4$d.', 'session-warden' ), $key, self::show( $value ), $min, $max )
			);
		}
		return (int) $value;
	}

	/**
	 * A comma-separated list (`--type=a,b`, `--fields=id,ip`), without empty entries.
	 *
	 * @param mixed $value Option value.
	 * @return string[]
	 */
	public static function words( $value ): array {
		if ( ! is_string( $value ) ) {
			return array();
		}
		return array_values( array_filter( array_map( 'trim', explode( ',', $value ) ), static fn ( $w ) => '' !== $w ) );
	}

	/**
	 * The fields to print: --fields checked against the available ones, else the defaults.
	 *
	 * @param array    $assoc_args The command's associative arguments.
	 * @param string[] $available  Field names the rows have.
	 * @param string[] $defaults   Fields printed without --fields.
	 * @throws \InvalidArgumentException For an unknown field or an empty list.
	 * @return string[]
	 */
	public static function fields( array $assoc_args, array $available, array $defaults ): array {
		if ( ! array_key_exists( 'fields', $assoc_args ) ) {
			return $defaults;
		}
		$fields = self::words( $assoc_args['fields'] );
		if ( ! $fields ) {
			/* translators: %s: field names. */
			throw new \InvalidArgumentException( sprintf( __( 'Invalid --fields: name at least one of: %s.', 'session-warden' ), implode( ', ', $available ) ) );
		}
		$unknown = array_diff( $fields, $available );
		if ( $unknown ) {
			throw new \InvalidArgumentException(
				/* translators: 1: unknown field names, 2: available field names. */
				sprintf( __( 'Unknown field: %1$s. Available fields: %2$s.', 'session-warden' ), implode( ', ', $unknown ), implode( ', ', $available ) )
			);
		}
		return array_values( array_unique( $fields ) );
	}

	/**
	 * The user an argument names: a numeric user ID, an e-mail address or a login (as `wp user` accepts).
	 *
	 * @param string $value Argument.
	 * @return \WP_User|null Null when no such user exists.
	 */
	public static function user( string $value ): ?\WP_User {
		$value = trim( $value );
		if ( '' === $value ) {
			return null;
		}
		$user = false;
		if ( ctype_digit( $value ) ) {
			$user = get_userdata( (int) $value );
		}
		if ( ! $user && is_email( $value ) ) {
			$user = get_user_by( 'email', $value );
		}
		if ( ! $user ) {
			$user = get_user_by( 'login', $value );
		}
		return $user instanceof \WP_User ? $user : null;
	}

	/**
	 * A point in time: a Unix time (digits only), a time ago (`90s`, `30m`, `1h`, `2d`, `1w`), or a date
	 * PHP can read (`2026-01-31`, `2026-01-31 14:00`, `yesterday`), taken in the site's time zone.
	 *
	 * @param string $value Argument.
	 * @param int    $now   Current Unix time (relative times count back from it).
	 * @throws \InvalidArgumentException When it is none of those.
	 */
	public static function time( string $value, int $now ): int {
		$value = trim( $value );
		if ( preg_match( '/^\d{1,12}$/', $value ) ) {
			return (int) $value;
		}
		if ( preg_match( '/^(\d{1,9})\s*([smhdw])$/i', $value, $m ) ) {
			return $now - (int) $m[1] * self::UNITS[ strtolower( $m[2] ) ];
		}
		$date = '' === $value ? false : date_create_immutable( $value, wp_timezone() );
		if ( false === $date ) {
			throw new \InvalidArgumentException(
				/* translators: %s: the value given. */
				sprintf( __( 'Cannot read the time %s: use a Unix time, a time ago such as 30m, 1h, 2d or 1w, or a date such as 2026-01-31 14:00.', 'session-warden' ), self::show( $value ) )
			);
		}
		return $date->getTimestamp();
	}

	/**
	 * A settings value as typed: JSON when it is valid JSON (`30`, `true`, `["editor"]`, `{"a":1}`,
	 * `"text"`), otherwise the text itself (`block_new`).
	 *
	 * @param string $raw Argument.
	 * @return mixed
	 */
	public static function value( string $raw ) {
		try {
			return json_decode( $raw, true, 64, JSON_THROW_ON_ERROR );
		} catch ( \JsonException $e ) {
			return $raw;
		}
	}

	/**
	 * A settings document from a file's text: one JSON object, as `settings export` and the REST export
	 * write it. The answer of GET /settings ({"settings": {…}, "source": …}) is accepted too.
	 *
	 * @param string $json File contents.
	 * @throws \UnexpectedValueException When it is empty, not JSON, or not one object.
	 */
	public static function settings_document( string $json ): array {
		if ( '' === trim( $json ) ) {
			throw new \UnexpectedValueException( __( 'The settings file is empty.', 'session-warden' ) );
		}
		try {
			$doc = json_decode( $json, true, 64, JSON_THROW_ON_ERROR );
		} catch ( \JsonException $e ) {
			/* translators: %s: JSON parser message. */
			throw new \UnexpectedValueException( sprintf( __( 'The settings file is not valid JSON: %s.', 'session-warden' ), $e->getMessage() ) );
		}
		if ( ! is_array( $doc ) || ( array() !== $doc && array_is_list( $doc ) ) ) {
			throw new \UnexpectedValueException( __( 'The settings file must hold one JSON object.', 'session-warden' ) );
		}
		if ( isset( $doc['settings'] ) && is_array( $doc['settings'] ) && ! array_diff( array_keys( $doc ), array( 'settings', 'source', 'scope', 'network' ) ) ) {
			$doc = $doc['settings'];
		}
		return $doc;
	}

	/**
	 * A dotted path into the settings document (`retention_days`, `defaults.mode`), split into its keys.
	 *
	 * @param string $key Argument.
	 * @throws \InvalidArgumentException When a part is empty or has characters no settings key has.
	 * @return string[]
	 */
	public static function path( string $key ): array {
		$parts = explode( '.', $key );
		foreach ( $parts as $part ) {
			if ( ! preg_match( '/^[A-Za-z0-9_-]{1,64}$/', $part ) ) {
				throw new \InvalidArgumentException(
					/* translators: %s: the key given. */
					sprintf( __( 'Invalid settings key %s: use names separated by dots, such as retention_days or defaults.mode.', 'session-warden' ), self::show( $key ) )
				);
			}
		}
		return $parts;
	}

	/**
	 * The value at a path, and whether it is there.
	 *
	 * @param array    $document Settings document.
	 * @param string[] $path     Keys (from path()).
	 * @return array{0: bool, 1: mixed} [found, value].
	 */
	public static function get_path( array $document, array $path ): array {
		$node = $document;
		foreach ( $path as $part ) {
			if ( ! is_array( $node ) || ! array_key_exists( $part, $node ) ) {
				return array( false, null );
			}
			$node = $node[ $part ];
		}
		return array( true, $node );
	}

	/**
	 * The document with the value at a path replaced (groups on the way are created when missing).
	 *
	 * @param array    $document Settings document.
	 * @param string[] $path     Keys (from path()).
	 * @param mixed    $value    New value.
	 * @throws \InvalidArgumentException When a key on the way holds a plain value, not a group.
	 */
	public static function set_path( array $document, array $path, $value ): array {
		$key = array_shift( $path );
		if ( ! $path ) {
			$document[ $key ] = $value;
			return $document;
		}
		$child = $document[ $key ] ?? array();
		if ( ! is_array( $child ) ) {
			throw new \InvalidArgumentException(
				/* translators: 1: settings key, 2: the rest of the path. */
				sprintf( __( 'The setting %1$s is a value, not a group: it has no %2$s.', 'session-warden' ), self::show( (string) $key ), self::show( implode( '.', $path ) ) )
			);
		}
		$document[ $key ] = self::set_path( $child, $path, $value );
		return $document;
	}

	/**
	 * A value for an error message: quoted and shortened.
	 *
	 * @param mixed $value Value.
	 */
	private static function show( $value ): string {
		$text = is_scalar( $value ) ? (string) $value : (string) wp_json_encode( $value );
		if ( strlen( $text ) > 80 ) {
			$text = substr( $text, 0, 77 ) . '...';
		}
		return '"' . $text . '"';
	}
}
