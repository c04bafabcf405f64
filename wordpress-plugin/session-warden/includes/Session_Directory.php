<?php
/**
 * Lists live sessions for the admin Sessions screen, REST and WP-CLI, in the one item shape they share.
 *
 * query() picks and counts rows in Session_Index (a cache, kept in step by hooks and rebuilds), then checks
 * the page against the session manager before showing it: the users on the page have their real sessions
 * read and their index rows fixed, and the page is read again if anything changed, so a session ended
 * behind the plugin's back is never shown and every value shown is the session's own. for_user() reads the
 * session manager directly.
 *
 * No capability checks here: the screens, REST routes and commands check Session_Directory::CAP (or that
 * the user asks about themselves) before calling.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Session_Directory {

	/** See and end other users' sessions, read the event log, log everyone out. */
	public const CAP = 'session_warden_manage_sessions';

	/** Largest page. */
	public const MAX_PER_PAGE = 200;

	/** How often a page is read again after its check changed the index, at most. */
	private const VERIFY_ROUNDS = 3;

	/**
	 * Every live session across all users.
	 *
	 * @param array $args See the contract: user, role, country, device_class, flag, search, orderby, order,
	 *                    page, per_page. Empty values mean "any".
	 * @return array{items: list<array>, total: int}
	 * @throws \InvalidArgumentException For a value that cannot be a filter (the message names it).
	 */
	public static function query( array $args = array() ): array {
		$q = self::normalise( $args );
		Session_Index::ensure_filled();
		Session_Index::prune();
		// Sessions created earlier in this request without a cookie are indexed now rather than at its end;
		// and one user's list is cheap to check in full, so a `user` filter also finds sessions the index
		// never heard of.
		Session_Index::flush();
		if ( $q['user'] > 0 ) {
			Session_Index::sync_users( array( $q['user'] ) );
		}

		$found = array(
			'rows'  => array(),
			'total' => 0,
		);
		$sessions = array();
		for ( $round = 0; $round < self::VERIFY_ROUNDS; ++$round ) {
			$found = Session_Index::search( $q );
			$users = array_values( array_unique( array_map( static fn ( array $r ): int => (int) $r['user_id'], $found['rows'] ) ) );
			$check = Session_Index::sync_users( $users );
			$sessions = $check['sessions'] + $sessions;
			if ( 0 === $check['changed'] ) {
				break;
			}
		}

		$items = array();
		$now   = time();
		$epoch = Settings::epoch();
		$me    = Session_Id::current();
		$by_id = array();
		foreach ( $sessions as $uid => $list ) {
			foreach ( $list as $verifier => $record ) {
				$by_id[ $uid . '-' . Session_Id::hash( (int) $uid, (string) $verifier ) ] = array( (string) $verifier, $record );
			}
		}
		foreach ( $found['rows'] as $row ) {
			$id = $row['user_id'] . '-' . $row['sid'];
			if ( ! isset( $by_id[ $id ] ) ) {
				continue; // Ended between the check and now (or the manager could not be read): not shown.
			}
			[ , $record ] = $by_id[ $id ];
			if ( $epoch > 0 && (int) ( $record['login'] ?? 0 ) < $epoch ) {
				continue;
			}
			$item = self::item( (int) $row['user_id'], $id, $record, $now, $me );
			if ( null !== $item ) {
				$items[] = $item;
			}
		}
		return array(
			'items' => $items,
			'total' => max( $found['total'], count( $items ) ),
		);
	}

	/**
	 * One user's live sessions, newest login first, `current` set on the requester's own session.
	 *
	 * @param int $user_id User ID.
	 * @return list<array> Items (empty for an unknown user or one without sessions).
	 */
	public static function for_user( int $user_id ): array {
		if ( $user_id <= 0 || ! get_userdata( $user_id ) ) {
			return array();
		}
		$sessions = Session_Index::sync_users( array( $user_id ) )['sessions'][ $user_id ] ?? array();
		$now      = time();
		$epoch    = Settings::epoch();
		$me       = Session_Id::current();
		$items    = array();
		foreach ( $sessions as $verifier => $record ) {
			if ( $epoch > 0 && (int) ( $record['login'] ?? 0 ) < $epoch ) {
				continue;
			}
			$item = self::item( $user_id, Session_Id::make( $user_id, (string) $verifier ), $record, $now, $me );
			if ( null !== $item ) {
				$items[] = $item;
			}
		}
		usort(
			$items,
			static fn ( array $a, array $b ): int => array( $b['login'], $b['last_activity'], $b['id'] ) <=> array( $a['login'], $a['last_activity'], $a['id'] )
		);
		return $items;
	}

	/**
	 * The shared item for one session.
	 *
	 * @param int         $user_id Owner.
	 * @param string      $id      Session id.
	 * @param array       $record  Stored record.
	 * @param int         $now     Current time.
	 * @param string|null $me      The requester's own session id.
	 * @return array|null Null when the owner no longer exists.
	 */
	private static function item( int $user_id, string $id, array $record, int $now, ?string $me ): ?array {
		$user = get_userdata( $user_id );
		if ( ! $user instanceof \WP_User ) {
			return null;
		}
		$ours     = Session_Record::ours( $record );
		$device   = is_array( $ours['device'] ?? null ) ? $ours['device'] : array();
		$login    = max( 0, (int) ( $record['login'] ?? 0 ) );
		$activity = max( $login, (int) ( $ours['last_activity'] ?? 0 ) );
		$flags    = array_values( array_unique( array_filter( (array) ( $ours['flags'] ?? array() ), 'is_string' ) ) );
		$avatar   = get_avatar_url( $user_id, array( 'size' => 64 ) );
		$text     = static fn ( $value ): string => is_scalar( $value ) ? (string) $value : '';

		return array(
			'id'            => $id,
			'user'          => array(
				'id'           => $user_id,
				'login'        => (string) $user->user_login,
				'display_name' => (string) $user->display_name,
				'avatar'       => is_string( $avatar ) ? $avatar : '',
			),
			'roles'         => array_values( array_map( 'strval', (array) $user->roles ) ),
			'login'         => $login,
			'expiration'    => max( 0, (int) ( $record['expiration'] ?? 0 ) ),
			'last_activity' => $activity,
			'idle'          => max( 0, $now - $activity ),
			'ip'            => $text( $ours['ip'] ?? ( $record['ip'] ?? '' ) ),
			'country'       => $text( $ours['country'] ?? '' ),
			'device'        => array(
				'label'        => $text( $device['label'] ?? '' ),
				'browser'      => $text( $device['browser'] ?? '' ),
				'version'      => $text( $device['version'] ?? '' ),
				'os'           => $text( $device['os'] ?? '' ),
				'device_class' => $text( $device['device_class'] ?? '' ),
				'device_type'  => $text( $device['device_type'] ?? '' ),
				'client_type'  => $text( $device['client_type'] ?? '' ),
			),
			'flags'         => $flags,
			'current'       => null !== $me && hash_equals( $me, $id ),
		);
	}

	/**
	 * Checks and normalises query() arguments.
	 *
	 * @param array $args Raw arguments.
	 * @return array{user:int, role:string, country:string, device_class:string, flag:string, search:string, orderby:string, order:string, page:int, per_page:int}
	 * @throws \InvalidArgumentException For a value that cannot be a filter.
	 */
	public static function normalise( array $args ): array {
		$text = static function ( string $key ) use ( $args ): string {
			$value = $args[ $key ] ?? '';
			if ( null === $value || false === $value ) {
				return '';
			}
			if ( ! is_scalar( $value ) ) {
				throw new \InvalidArgumentException( sprintf( 'The "%s" filter must be a single value.', $key ) );
			}
			return trim( (string) $value );
		};

		$user = $text( 'user' );
		if ( '' !== $user && ! ctype_digit( $user ) ) {
			throw new \InvalidArgumentException( sprintf( 'The "user" filter must be a user ID, not "%s".', substr( $user, 0, 40 ) ) );
		}
		$role = $text( 'role' );
		if ( '' !== $role && sanitize_key( $role ) !== $role ) {
			throw new \InvalidArgumentException( sprintf( 'Not a role: "%s".', substr( $role, 0, 40 ) ) );
		}
		$country = strtoupper( $text( 'country' ) );
		if ( '' !== $country && ! preg_match( '/^[A-Z]{2}$/', $country ) ) {
			throw new \InvalidArgumentException( sprintf( 'The "country" filter takes a two-letter ISO code, not "%s".', substr( $country, 0, 40 ) ) );
		}
		$device_class = strtolower( $text( 'device_class' ) );
		if ( '' !== $device_class && ! in_array( $device_class, Session_Index::DEVICE_CLASSES, true ) ) {
			throw new \InvalidArgumentException( sprintf( 'The "device_class" filter takes one of %s, not "%s".', implode( ', ', Session_Index::DEVICE_CLASSES ), substr( $device_class, 0, 40 ) ) );
		}
		$flag = strtolower( $text( 'flag' ) );
		if ( '' !== $flag && ! isset( Session_Index::FLAG_BITS[ $flag ] ) ) {
			throw new \InvalidArgumentException( sprintf( 'The "flag" filter takes one of %s, not "%s".', implode( ', ', array_keys( Session_Index::FLAG_BITS ) ), substr( $flag, 0, 40 ) ) );
		}
		$orderby = strtolower( $text( 'orderby' ) );
		if ( '' !== $orderby && ! in_array( $orderby, array( 'login', 'last_activity' ), true ) ) {
			throw new \InvalidArgumentException( sprintf( 'Sessions can be ordered by login or last_activity, not "%s".', substr( $orderby, 0, 40 ) ) );
		}
		$order = strtoupper( $text( 'order' ) );
		if ( '' !== $order && ! in_array( $order, array( 'ASC', 'DESC' ), true ) ) {
			throw new \InvalidArgumentException( sprintf( 'The order is asc or desc, not "%s".', substr( $order, 0, 40 ) ) );
		}
		$page     = $text( 'page' );
		$per_page = $text( 'per_page' );
		if ( ( '' !== $page && ( ! ctype_digit( $page ) || (int) $page < 1 ) ) ) {
			throw new \InvalidArgumentException( sprintf( 'The page is a number from 1, not "%s".', substr( $page, 0, 40 ) ) );
		}
		if ( '' !== $per_page && ( ! ctype_digit( $per_page ) || (int) $per_page < 1 || (int) $per_page > self::MAX_PER_PAGE ) ) {
			throw new \InvalidArgumentException( sprintf( 'per_page is a number from 1 to %d, not "%s".', self::MAX_PER_PAGE, substr( $per_page, 0, 40 ) ) );
		}
		$search = function_exists( 'mb_substr' ) ? mb_substr( $text( 'search' ), 0, 100, 'UTF-8' ) : substr( $text( 'search' ), 0, 100 );

		return array(
			'user'         => (int) $user,
			'role'         => $role,
			'country'      => $country,
			'device_class' => $device_class,
			'flag'         => $flag,
			'search'       => $search,
			'orderby'      => '' === $orderby ? 'last_activity' : $orderby,
			'order'        => '' === $order ? 'DESC' : $order,
			'page'         => '' === $page ? 1 : min( (int) $page, 1000000 ),
			'per_page'     => '' === $per_page ? 20 : (int) $per_page,
		);
	}
}
