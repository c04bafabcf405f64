<?php
/**
 * The facts about the HTTP request in hand that the engine decides on: the peer address, the forwarding
 * headers, the User-Agent and (when a geo database is configured) the client's country.
 *
 * Which address is the client's is the engine's call (proxy trust lives in the policy core); this class
 * only collects what arrived. It sends the forwarding headers the engine may read and nothing else, so
 * cookies and authorisation headers never leave PHP.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Request_Facts {

	/** Headers the engine's `auto` client-IP mode reads ($_SERVER keys). */
	private const FORWARDING = array(
		'Forwarded'        => 'HTTP_FORWARDED',
		'X-Forwarded-For'  => 'HTTP_X_FORWARDED_FOR',
		'CF-Connecting-IP' => 'HTTP_CF_CONNECTING_IP',
		'X-Real-IP'        => 'HTTP_X_REAL_IP',
	);

	/** The facts as the engine's `request-facts` record. Country is filled in by with_country(). */
	public static function current(): array {
		$headers = array();
		$names   = self::FORWARDING;
		$custom  = (string) ( Settings::current()['client_ip']['header'] ?? '' );
		if ( '' !== $custom ) {
			$names[ $custom ] = 'HTTP_' . strtoupper( str_replace( '-', '_', $custom ) );
		}
		foreach ( $names as $name => $key ) {
			if ( isset( $_SERVER[ $key ] ) && is_string( $_SERVER[ $key ] ) && '' !== $_SERVER[ $key ] ) {
				// Sent as received: the engine parses and validates every entry itself.
				$headers[] = array(
					'name'  => $name,
					'value' => substr( wp_unslash( $_SERVER[ $key ] ), 0, 2048 ), // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized
				);
			}
		}
		return array(
			'remote_addr' => isset( $_SERVER['REMOTE_ADDR'] ) ? substr( (string) wp_unslash( $_SERVER['REMOTE_ADDR'] ), 0, 64 ) : '', // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized
			'headers'     => $headers,
			'ua'          => isset( $_SERVER['HTTP_USER_AGENT'] ) ? substr( (string) wp_unslash( $_SERVER['HTTP_USER_AGENT'] ), 0, 1024 ) : '', // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized
			'country'     => '',
		);
	}

	/**
	 * A fingerprint of everything the client-IP resolution can depend on. A kept request verdict is
	 * reused only while the fingerprint is unchanged, so the engine's decision about the address still
	 * holds without asking it again.
	 *
	 * @param array $facts From current().
	 */
	public static function fingerprint( array $facts ): string {
		return substr( hash( 'sha256', wp_json_encode( array( $facts['remote_addr'], $facts['headers'] ) ) ), 0, 32 );
	}

	/**
	 * The facts with the client's country, when a geo database is configured (two small engine calls:
	 * the client address, then its country). Without a database the country stays ''.
	 *
	 * @param array      $facts  From current().
	 * @param array|null $client The client the engine already resolved from these same facts and settings in
	 *                           this request (the `client` of a `gate` answer): the first call is then skipped.
	 * @throws Engine_Error When the engine fails.
	 */
	public static function with_country( array $facts, ?array $client = null ): array {
		if ( '' === Engine_Client::configured_geo_db() ) {
			return $facts;
		}
		$client ??= Engine::ask(
			'resolve_client_ip',
			array(
				'settings'    => (object) ( Settings::current()['client_ip'] ?? array() ),
				'remote_addr' => $facts['remote_addr'],
				'headers'     => $facts['headers'],
			)
		);
		$ip = (string) ( $client['ip'] ?? '' );
		if ( '' !== $ip ) {
			$country          = Engine::ask( 'geo_country', array( 'ip' => $ip ) );
			$facts['country'] = is_string( $country ) ? $country : '';
		}
		return $facts;
	}
}
