<?php
/**
 * What the WP-CLI commands print: sessions, events and the engine status as rows.
 *
 * Two shapes per thing. `--format=json|yaml` prints structured items (a session exactly as the contract's
 * session item, the same as the REST API returns); `--format=table|csv` prints flat rows of plain text
 * (times as dates in the site's time zone, lists joined with commas), because a table cell cannot hold an
 * object. Only listed keys are copied, so nothing else (never a token or a verifier) can be printed by
 * accident.
 *
 * Nothing here uses WP-CLI, so it is tested inside the real WordPress (tests/php/cli.test.php).
 *
 * @package SessionWarden
 */

namespace SessionWarden\Cli;

use SessionWarden\Public_Items;

final class Rows {

	/** Keys of a session item (the contract's shape). */
	public const SESSION_KEYS = Public_Items::SESSION_KEYS;

	/** Columns of a session in a table or CSV, and the ones shown without --fields. */
	public const SESSION_COLUMNS         = array( 'id', 'user', 'user_id', 'display_name', 'roles', 'ip', 'country', 'device', 'browser', 'os', 'device_class', 'login', 'expiration', 'last_activity', 'idle', 'flags', 'current' );
	public const SESSION_DEFAULT_COLUMNS = array( 'id', 'user', 'ip', 'country', 'device', 'login', 'last_activity', 'flags' );

	/** Keys of an event item, its columns in a table or CSV, and the ones shown without --fields. */
	public const EVENT_KEYS            = Public_Items::EVENT_KEYS;
	public const EVENT_COLUMNS         = array( 'id', 'time', 'site_id', 'user', 'user_id', 'type', 'reason', 'session', 'ip', 'country', 'device', 'data' );
	public const EVENT_DEFAULT_COLUMNS = array( 'id', 'time', 'user', 'type', 'reason', 'ip', 'country', 'device' );

	/**
	 * A session item with exactly the contract's keys.
	 *
	 * @param array $item Item from Session_Directory.
	 */
	public static function session_item( array $item ): array {
		return Public_Items::session( $item );
	}

	/**
	 * A session as a flat row (every SESSION_COLUMNS key, plain text).
	 *
	 * @param array $item Item from Session_Directory.
	 */
	public static function session_row( array $item ): array {
		$item = self::session_item( $item );
		return array(
			'id'            => (string) $item['id'],
			'user'          => (string) $item['user']['login'],
			'user_id'       => (int) $item['user']['id'],
			'display_name'  => (string) $item['user']['display_name'],
			'roles'         => implode( ',', $item['roles'] ),
			'ip'            => (string) $item['ip'],
			'country'       => (string) $item['country'],
			'device'        => (string) $item['device']['label'],
			'browser'       => trim( $item['device']['browser'] . ' ' . $item['device']['version'] ),
			'os'            => (string) $item['device']['os'],
			'device_class'  => (string) $item['device']['device_class'],
			'login'         => self::time( $item['login'] ),
			'expiration'    => self::time( $item['expiration'] ),
			'last_activity' => self::time( $item['last_activity'] ),
			'idle'          => null === $item['idle'] ? '' : (int) $item['idle'],
			'flags'         => implode( ',', $item['flags'] ),
			'current'       => $item['current'] ? 'yes' : 'no',
		);
	}

	/**
	 * An event item: the user by ID and login, the session by its public id (never the verifier), data
	 * without secrets.
	 *
	 * @param array $event Event from Events::query().
	 */
	public static function event_item( array $event ): array {
		return Public_Items::event( $event );
	}

	/**
	 * An event as a flat row (every EVENT_COLUMNS key, plain text).
	 *
	 * @param array $event Event from Events::query().
	 */
	public static function event_row( array $event ): array {
		$item = self::event_item( $event );
		return array(
			'id'      => $item['id'],
			'time'    => self::time( $item['time'] ),
			'site_id' => $item['site_id'],
			'user'    => (string) ( $item['user']['login'] ?? '' ),
			'user_id' => $item['user']['id'],
			'type'    => $item['type'],
			'reason'  => $item['reason'],
			'session' => (string) $item['session'],
			'ip'      => $item['ip'],
			'country' => $item['country'],
			'device'  => $item['device'],
			'data'    => null === $item['data'] ? '' : (string) wp_json_encode( $item['data'], JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE ),
		);
	}

	/**
	 * The engine status as one document: Engine_Panel::status() (measured now) and Engine::last_error().
	 *
	 * @param array      $status     Engine_Panel::status().
	 * @param array|null $last_error Engine::last_error().
	 */
	public static function engine_status( array $status, ?array $last_error ): array {
		$sha      = $status['sha256'] ?? null;
		$expected = $status['expected_sha256'] ?? null;
		return array(
			'mode'            => (string) ( $status['mode'] ?? 'unavailable' ),
			'serving'         => $status['serving'] ?? null,
			'pinned'          => $status['pinned'] ?? null,
			'socket'          => $status['socket'] ?? null,
			'version'         => $status['version'] ?? null,
			'sha256'          => $sha,
			'expected_sha256' => $expected,
			'sha256_matches'  => null !== $sha && null !== $expected ? hash_equals( (string) $expected, (string) $sha ) : null,
			'round_trip_ms'   => array_map( static fn ( $ms ) => null === $ms ? null : round( (float) $ms, 3 ), (array) ( $status['round_trip'] ?? array() ) ),
			'errors'          => (array) ( $status['errors'] ?? array() ),
			'serving_error'   => $status['serving_error'] ?? null,
			'last_error'      => $last_error,
		);
	}

	/**
	 * The engine status as field/value rows for a table.
	 *
	 * @param array $doc engine_status().
	 * @return array<int, array{field: string, value: string}>
	 */
	public static function engine_rows( array $doc ): array {
		$rows = array();
		$add  = static function ( string $field, $value ) use ( &$rows ): void {
			$rows[] = array(
				'field' => $field,
				'value' => null === $value ? '' : ( is_bool( $value ) ? ( $value ? 'yes' : 'no' ) : (string) $value ),
			);
		};
		foreach ( array( 'mode', 'serving', 'pinned', 'socket', 'version', 'sha256', 'expected_sha256', 'sha256_matches' ) as $key ) {
			$add( $key, $doc[ $key ] );
		}
		foreach ( $doc['round_trip_ms'] as $via => $ms ) {
			$add( 'round_trip_ms.' . $via, null === $ms ? 'not available' : sprintf( '%.3f', $ms ) );
		}
		foreach ( $doc['errors'] as $via => $error ) {
			$add( 'error.' . $via, ( $error['code'] ?? '' ) . ': ' . ( $error['message'] ?? '' ) );
		}
		if ( is_array( $doc['serving_error'] ) ) {
			$add( 'serving_error', ( $doc['serving_error']['code'] ?? '' ) . ': ' . ( $doc['serving_error']['message'] ?? '' ) );
		}
		$last = $doc['last_error'];
		$add(
			'last_error',
			is_array( $last )
				? sprintf( '%s, op %s: %s: %s', self::time( $last['time'] ?? 0 ), $last['op'] ?? '', $last['code'] ?? '', $last['message'] ?? '' )
				: 'none'
		);
		return $rows;
	}

	/**
	 * Picks top-level keys of structured items (--fields with json or yaml).
	 *
	 * @param array[]  $items  Items.
	 * @param string[] $fields Keys to keep, in this order.
	 */
	public static function pick( array $items, array $fields ): array {
		return array_map( static fn ( array $item ) => Public_Items::only( $item, $fields ), array_values( $items ) );
	}

	/**
	 * A Unix time as a date in the site's time zone (`2026-01-31 14:00:05`); empty for none.
	 *
	 * @param mixed $time Unix time.
	 */
	public static function time( $time ): string {
		return is_numeric( $time ) && (int) $time > 0 ? (string) wp_date( 'Y-m-d H:i:s', (int) $time ) : '';
	}
}
