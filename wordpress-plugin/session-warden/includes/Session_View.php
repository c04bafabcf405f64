<?php
/**
 * How one session looks wherever it is shown (the admin Sessions screen, the profile section, the front-end
 * block and shortcode), the "your sessions" list those last two share, its script and the no-JavaScript
 * way to end a session.
 *
 * Every value is escaped here, at output. Sessions arrive as Session_Directory items (the contract's
 * session item); this class never reads the session store itself.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Session_View {

	/** Script and style handles of the shared list (front end and profile). */
	public const SCRIPT = 'session-warden-sessions';
	public const STYLE  = 'session-warden-sessions';

	/** admin-post.php action of the no-JavaScript fallback (POST from a form or a nonce'd link). */
	public const END_ACTION = 'session_warden_end_session';

	/** Query argument the fallback redirects back with, so the list can say what happened. */
	public const RESULT_ARG = 'sw_sessions';
	public const COUNT_ARG  = 'sw_sessions_count';

	/** The flags Session_Guard raises, in display order. */
	public const FLAGS = array( 'ip_shift', 'country_anomaly' );

	/** Device classes the engine reports, in display order. */
	public const DEVICE_CLASSES = array( 'desktop', 'mobile', 'tablet', 'bot', 'other' );

	private static bool $config_printed = false;

	/** `init`: registers the shared script and style (enqueued only where a list is rendered). */
	public static function register_assets(): void {
		$base = plugins_url( 'assets/front/', PLUGIN_FILE );
		wp_register_script( self::SCRIPT, $base . 'sessions.js', array(), self::asset_version( 'assets/front/sessions.js' ), true );
		// Dashicons: the device icons (loaded on the front end only where a list is shown).
		wp_register_style( self::STYLE, $base . 'sessions.css', array( 'dashicons' ), self::asset_version( 'assets/front/sessions.css' ) );
	}

	/**
	 * The plugin version plus the file's modification time, so an edited asset is never served stale.
	 *
	 * @param string $relative Path inside the plugin.
	 */
	public static function asset_version( string $relative ): string {
		$mtime = @filemtime( PLUGIN_DIR . $relative ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged -- a missing file only loses the cache buster.
		return VERSION . ( $mtime ? '.' . $mtime : '' );
	}

	/**
	 * Enqueues the shared list's script and style, with the REST root, a wp_rest nonce and the words it
	 * shows (once per page however many lists there are).
	 */
	public static function enqueue(): void {
		if ( ! wp_script_is( self::SCRIPT, 'registered' ) ) {
			self::register_assets();
		}
		wp_enqueue_style( self::STYLE );
		wp_enqueue_script( self::SCRIPT );
		if ( self::$config_printed ) {
			return;
		}
		self::$config_printed = true;
		$config = array(
			'root'  => esc_url_raw( rest_url( 'session-warden/v1/' ) ),
			'nonce' => wp_create_nonce( 'wp_rest' ),
			'i18n'  => array(
				'ending'       => __( 'Ending…', 'session-warden' ),
				'ended'        => __( 'The session was ended. That device is signed out.', 'session-warden' ),
				'gone'         => __( 'That session had already ended.', 'session-warden' ),
				/* translators: %d: number of sessions ended. */
				'endedOthers'  => __( 'Signed out everywhere else (%d sessions ended).', 'session-warden' ),
				'endedOther1'  => __( 'Signed out everywhere else (1 session ended).', 'session-warden' ),
				/* translators: %d: number of sessions ended. */
				'endedAll'     => __( '%d sessions ended. Those devices are signed out.', 'session-warden' ),
				'endedAll1'    => __( '1 session ended. That device is signed out.', 'session-warden' ),
				'confirmAll'   => __( 'Sign out of every other device?', 'session-warden' ),
				'confirmUser'  => __( 'End every session of this user? They will be signed out on all devices.', 'session-warden' ),
				'failed'       => __( 'The session could not be ended:', 'session-warden' ),
				'expired'      => __( 'Your page is out of date. Reload it and try again.', 'session-warden' ),
				'network'      => __( 'The site could not be reached. Try again.', 'session-warden' ),
			),
		);
		wp_add_inline_script( self::SCRIPT, 'window.sessionWardenSessions = ' . wp_json_encode( $config ) . ';', 'before' );
	}

	/*
	 * Parts of one session, as HTML (escaped).
	 */

	/**
	 * Readable name of a flag.
	 *
	 * @param string $flag Flag as stored (ip_shift, country_anomaly, …).
	 */
	public static function flag_label( string $flag ): string {
		switch ( $flag ) {
			case 'ip_shift':
				return __( 'IP address changed', 'session-warden' );
			case 'country_anomaly':
				return __( 'Country anomaly', 'session-warden' );
			default:
				return $flag;
		}
	}

	/**
	 * What a flag means, for the badge's tooltip.
	 *
	 * @param string $flag Flag.
	 */
	public static function flag_help( string $flag ): string {
		switch ( $flag ) {
			case 'ip_shift':
				return __( 'The network address changed during this session (a stolen cookie, or a phone moving between networks).', 'session-warden' );
			case 'country_anomaly':
				return __( 'The account was signed in from different countries at the same time.', 'session-warden' );
			default:
				return '';
		}
	}

	/**
	 * Readable name of a device class.
	 *
	 * @param string $class desktop | mobile | tablet | bot | other.
	 */
	public static function device_class_label( string $class ): string {
		switch ( $class ) {
			case 'desktop':
				return __( 'Desktop', 'session-warden' );
			case 'mobile':
				return __( 'Mobile', 'session-warden' );
			case 'tablet':
				return __( 'Tablet', 'session-warden' );
			case 'bot':
				return __( 'Bot', 'session-warden' );
			default:
				return __( 'Other', 'session-warden' );
		}
	}

	/**
	 * A dashicon class for a device class.
	 *
	 * @param string $class Device class.
	 */
	private static function device_icon( string $class ): string {
		switch ( $class ) {
			case 'mobile':
				return 'dashicons-smartphone';
			case 'tablet':
				return 'dashicons-tablet';
			case 'bot':
				return 'dashicons-admin-generic';
			case 'desktop':
				return 'dashicons-desktop';
			default:
				return 'dashicons-admin-site-alt3';
		}
	}

	/**
	 * The device label the engine made from the User-Agent, or a stand-in.
	 *
	 * @param array $item Session item.
	 */
	public static function device_label( array $item ): string {
		$label = trim( (string) ( $item['device']['label'] ?? '' ) );
		return '' !== $label ? $label : __( 'Unknown device', 'session-warden' );
	}

	/**
	 * Device icon and label.
	 *
	 * @param array $item Session item.
	 */
	public static function device_html( array $item ): string {
		$class = (string) ( $item['device']['device_class'] ?? 'other' );
		return sprintf(
			'<span class="sw-device"><span class="dashicons %1$s" aria-hidden="true"></span> <span class="sw-device__label">%2$s</span></span>',
			esc_attr( self::device_icon( $class ) ),
			esc_html( self::device_label( $item ) )
		);
	}

	/**
	 * An ISO 3166-1 alpha-2 code, or '' when it is not one.
	 *
	 * @param mixed $code Candidate.
	 */
	public static function country_code( $code ): string {
		$code = strtoupper( trim( (string) $code ) );
		return preg_match( '/^[A-Z]{2}$/', $code ) ? $code : '';
	}

	/**
	 * The country as its flag (regional indicator letters, no image) and code; a dash when unknown.
	 *
	 * @param string $code ISO code.
	 */
	public static function country_html( string $code ): string {
		$code = self::country_code( $code );
		if ( '' === $code ) {
			return '<span class="sw-country sw-country--unknown" title="' . esc_attr__( 'Country unknown', 'session-warden' ) . '">&#8212;</span>';
		}
		$flag = '';
		foreach ( str_split( $code ) as $letter ) {
			$flag .= '&#' . ( 0x1F1E6 + ord( $letter ) - ord( 'A' ) ) . ';';
		}
		return '<span class="sw-country"><span class="sw-country__flag" aria-hidden="true">' . $flag . '</span> ' . esc_html( $code ) . '</span>';
	}

	/**
	 * "5 minutes ago", with the full date and time as a tooltip.
	 *
	 * @param int $timestamp Unix time (0 = unknown).
	 */
	public static function ago_html( int $timestamp ): string {
		if ( $timestamp <= 0 ) {
			return '<span class="sw-time">&#8212;</span>';
		}
		$now  = time();
		$text = $now - $timestamp < 60
			? __( 'just now', 'session-warden' )
			/* translators: %s: a span of time such as "5 mins". */
			: sprintf( __( '%s ago', 'session-warden' ), human_time_diff( $timestamp, $now ) );
		return sprintf(
			'<time class="sw-time" datetime="%1$s" title="%2$s">%3$s</time>',
			esc_attr( gmdate( 'c', $timestamp ) ),
			esc_attr( self::date_time( $timestamp ) ),
			esc_html( $text )
		);
	}

	/**
	 * Date and time in the site's formats and time zone.
	 *
	 * @param int $timestamp Unix time.
	 */
	public static function date_time( int $timestamp ): string {
		/* translators: 1: date, 2: time. */
		return sprintf( __( '%1$s at %2$s', 'session-warden' ), wp_date( get_option( 'date_format' ), $timestamp ), wp_date( get_option( 'time_format' ), $timestamp ) );
	}

	/**
	 * Badges for the flags of a session.
	 *
	 * @param array $item Session item.
	 */
	public static function flags_html( array $item ): string {
		$out = '';
		foreach ( self::flags( $item ) as $flag ) {
			$out .= sprintf(
				'<span class="sw-badge sw-badge--flag sw-badge--%1$s" title="%2$s" data-sw-flag="%1$s">%3$s</span> ',
				esc_attr( $flag ),
				esc_attr( self::flag_help( $flag ) ),
				esc_html( self::flag_label( $flag ) )
			);
		}
		return trim( $out );
	}

	/**
	 * The session's flags (strings only, no duplicates).
	 *
	 * @param array $item Session item.
	 * @return string[]
	 */
	public static function flags( array $item ): array {
		return array_values( array_unique( array_filter( (array) ( $item['flags'] ?? array() ), 'is_string' ) ) );
	}

	/*
	 * The "your sessions" list (front end).
	 */

	/**
	 * One user's sessions as a list with End buttons; the shared script turns the buttons into REST calls,
	 * and without JavaScript every button is a small POST form to admin-post.php.
	 *
	 * @param array $items Session items (Session_Directory::for_user()).
	 * @param array $args  style (default|minimal|compact), user (REST path segment: 'me' or an ID),
	 *                     user_id (int), id (unique element id), heading (bool), class (extra classes),
	 *                     attributes (pre-built wrapper attribute string, from get_block_wrapper_attributes()).
	 */
	public static function render_list( array $items, array $args ): string {
		$style   = in_array( $args['style'] ?? '', array( 'default', 'minimal', 'compact' ), true ) ? $args['style'] : 'default';
		$user_id = (int) $args['user_id'];
		$id      = (string) $args['id'];
		$items   = self::current_first( $items );
		$others  = count( array_filter( $items, static fn ( $item ) => empty( $item['current'] ) ) );
		$classes = trim( 'sw-sessions sw-sessions--' . $style . ' ' . ( $args['class'] ?? '' ) );
		$wrapper = (string) ( $args['attributes'] ?? '' );
		if ( '' === $wrapper ) {
			$wrapper = 'class="' . esc_attr( $classes ) . '"';
		} else {
			// get_block_wrapper_attributes() already holds class="wp-block-… …": add ours to it.
			$wrapper = preg_replace( '/\bclass="/', 'class="' . esc_attr( $classes ) . ' ', $wrapper, 1 );
		}

		ob_start();
		?>
		<div <?php echo $wrapper; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- built from escaped parts above. ?> id="<?php echo esc_attr( $id ); ?>" data-sw-sessions data-sw-user="<?php echo esc_attr( (string) $args['user'] ); ?>">
			<?php if ( ! empty( $args['heading'] ) ) : ?>
				<h2 class="sw-sessions__title" id="<?php echo esc_attr( $id . '-title' ); ?>"><?php esc_html_e( 'Your sessions', 'session-warden' ); ?></h2>
			<?php endif; ?>
			<p class="sw-sessions__status" role="status" aria-live="polite"><?php echo esc_html( self::fallback_result_text() ); ?></p>
			<ul class="sw-sessions__list">
				<?php foreach ( $items as $item ) : ?>
					<?php echo self::list_item( $item, $style, $user_id, $id ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in list_item(). ?>
				<?php endforeach; ?>
			</ul>
			<p class="sw-sessions__empty" data-sw-empty<?php echo $others ? ' hidden' : ''; ?>><?php esc_html_e( 'You are not signed in anywhere else.', 'session-warden' ); ?></p>
			<form class="sw-sessions__others" method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>" data-sw-others<?php echo $others ? '' : ' hidden'; ?>>
				<?php echo self::fallback_fields( $user_id, $id ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in fallback_fields(). ?>
				<button type="submit" class="sw-button sw-button--secondary" name="others" value="1" data-sw-end-others><?php esc_html_e( 'Sign out everywhere else', 'session-warden' ); ?></button>
			</form>
		</div>
		<?php
		return (string) ob_get_clean();
	}

	/**
	 * One list row.
	 *
	 * @param array  $item    Session item.
	 * @param string $style   default | minimal | compact.
	 * @param int    $user_id Owner.
	 * @param string $anchor  The list's element id.
	 */
	private static function list_item( array $item, string $style, int $user_id, string $anchor ): string {
		$sid     = (string) ( $item['id'] ?? '' );
		$current = ! empty( $item['current'] );
		$meta    = array();
		if ( 'minimal' !== $style ) {
			$meta[] = '<span class="sw-session__ip">' . esc_html( (string) ( $item['ip'] ?? '' ) ) . '</span>';
			$meta[] = self::country_html( (string) ( $item['country'] ?? '' ) );
		}
		$meta[] = '<span class="sw-session__activity">' . ( $current
			? esc_html__( 'Active now', 'session-warden' )
			/* translators: %s: "5 mins ago" (with a date tooltip). */
			: sprintf( esc_html__( 'Last active %s', 'session-warden' ), self::ago_html( (int) ( $item['last_activity'] ?? 0 ) ) ) ) . '</span>';
		if ( 'default' === $style ) {
			/* translators: %s: "2 hours ago" (with a date tooltip). */
			$meta[] = '<span class="sw-session__login">' . sprintf( esc_html__( 'Signed in %s', 'session-warden' ), self::ago_html( (int) ( $item['login'] ?? 0 ) ) ) . '</span>';
		}

		$badges = $current ? '<span class="sw-badge sw-badge--current">' . esc_html__( 'This device', 'session-warden' ) . '</span> ' : '';
		$badges .= self::flags_html( $item );

		if ( $current ) {
			$action = sprintf( '<a class="sw-button sw-button--link" href="%s">%s</a>', esc_url( wp_logout_url() ), esc_html__( 'Log out', 'session-warden' ) );
		} else {
			$action = sprintf(
				'<form class="sw-session__end-form" method="post" action="%1$s">%2$s<button type="submit" class="sw-button" name="session" value="%3$s" data-sw-end="%3$s" aria-label="%4$s">%5$s</button></form>',
				esc_url( admin_url( 'admin-post.php' ) ),
				self::fallback_fields( $user_id, $anchor ),
				esc_attr( $sid ),
				/* translators: %s: device, e.g. "Chrome 126 on Windows". */
				esc_attr( sprintf( __( 'End the session on %s', 'session-warden' ), self::device_label( $item ) ) ),
				esc_html__( 'End', 'session-warden' )
			);
		}

		return sprintf(
			'<li class="sw-session%1$s" data-sw-session="%2$s"><div class="sw-session__main"><span class="sw-session__device">%3$s</span> <span class="sw-session__badges">%4$s</span><span class="sw-session__meta">%5$s</span></div><div class="sw-session__action">%6$s</div></li>',
			$current ? ' is-current' : '',
			esc_attr( $sid ),
			self::device_html( $item ),
			$badges,
			implode( '<span class="sw-sep" aria-hidden="true"> · </span>', $meta ),
			$action
		);
	}

	/**
	 * The session in use first (the one the reader knows), the others in the order given.
	 *
	 * @param array $items Session items.
	 */
	public static function current_first( array $items ): array {
		$current = array_values( array_filter( $items, static fn ( $item ) => ! empty( $item['current'] ) ) );
		$others  = array_values( array_filter( $items, static fn ( $item ) => empty( $item['current'] ) ) );
		return array_merge( $current, $others );
	}

	/*
	 * The no-JavaScript fallback.
	 */

	/**
	 * Hidden fields of a fallback form: the action, the owner, a nonce bound to the owner, where to go back.
	 *
	 * @param int    $user_id Owner of the sessions.
	 * @param string $anchor  Element id to come back to.
	 */
	public static function fallback_fields( int $user_id, string $anchor = '' ): string {
		// The nonce input is written here rather than by wp_nonce_field(), whose id="_wpnonce" would repeat
		// on every form of the page.
		return sprintf( '<input type="hidden" name="action" value="%s" />', esc_attr( self::END_ACTION ) )
			. sprintf( '<input type="hidden" name="user" value="%d" />', $user_id )
			. sprintf( '<input type="hidden" name="_wpnonce" value="%s" />', esc_attr( wp_create_nonce( self::nonce_action( $user_id ) ) ) )
			. sprintf( '<input type="hidden" name="redirect_to" value="%s" />', esc_attr( self::back_url( $anchor ) ) );
	}

	/**
	 * A nonce'd admin-post.php link that ends one session (for places where a form cannot go: the profile
	 * section sits inside the profile form, and forms do not nest).
	 *
	 * @param int    $user_id Owner.
	 * @param string $sid     Session id, or '' for "every other session".
	 * @param string $anchor  Element id to come back to.
	 */
	public static function fallback_url( int $user_id, string $sid, string $anchor = '' ): string {
		$args = array(
			'action'      => self::END_ACTION,
			'user'        => $user_id,
			'redirect_to' => rawurlencode( self::back_url( $anchor ) ),
		);
		if ( '' === $sid ) {
			$args['others'] = 1;
		} else {
			$args['session'] = rawurlencode( $sid );
		}
		return wp_nonce_url( add_query_arg( $args, admin_url( 'admin-post.php' ) ), self::nonce_action( $user_id ) );
	}

	/**
	 * @param int $user_id Owner of the sessions.
	 */
	private static function nonce_action( int $user_id ): string {
		return self::END_ACTION . '_' . $user_id;
	}

	/**
	 * The page being shown, without the fallback's result arguments.
	 *
	 * @param string $anchor Element id to come back to.
	 */
	private static function back_url( string $anchor = '' ): string {
		$uri = isset( $_SERVER['REQUEST_URI'] ) ? esc_url_raw( wp_unslash( $_SERVER['REQUEST_URI'] ) ) : '/'; // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- esc_url_raw().
		if ( wp_doing_ajax() || ( defined( 'REST_REQUEST' ) && REST_REQUEST ) ) {
			$uri = (string) wp_get_referer();
		}
		$uri = remove_query_arg( array( self::RESULT_ARG, self::COUNT_ARG ), $uri );
		if ( '' !== $anchor ) {
			$uri = preg_replace( '/#.*$/', '', $uri ) . '#' . $anchor;
		}
		return $uri;
	}

	/** What the fallback's redirect says happened, for the list's status line ('' when nothing). */
	public static function fallback_result_text(): string {
		$result = isset( $_GET[ self::RESULT_ARG ] ) ? sanitize_key( wp_unslash( $_GET[ self::RESULT_ARG ] ) ) : ''; // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- display only.
		$count  = isset( $_GET[ self::COUNT_ARG ] ) ? absint( $_GET[ self::COUNT_ARG ] ) : 0; // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- display only.
		switch ( $result ) {
			case 'ended':
				return __( 'The session was ended. That device is signed out.', 'session-warden' );
			case 'gone':
				return __( 'That session had already ended.', 'session-warden' );
			case 'busy':
				return __( 'Your sessions were busy (a sign-in or sign-out was under way), so nothing was ended. Try again.', 'session-warden' );
			case 'others':
				/* translators: %d: number of sessions ended. */
				return sprintf( _n( 'Signed out everywhere else (%d session ended).', 'Signed out everywhere else (%d sessions ended).', $count, 'session-warden' ), $count );
			default:
				return '';
		}
	}

	/**
	 * `admin_post_session_warden_end_session`: ends one session of a user (`session`) or all but the
	 * requester's current one (`others`), then goes back to the page it came from.
	 *
	 * Allowed for the owner, and for users with Session_Directory::CAP who may manage the owner (on a network:
	 * members of their site, never a super admin). The nonce is bound to the owner, so a form for one user
	 * cannot be replayed against another.
	 */
	public static function handle_end(): void {
		$user_id = isset( $_REQUEST['user'] ) ? absint( $_REQUEST['user'] ) : 0; // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- checked next, bound to this user.
		check_admin_referer( self::nonce_action( $user_id ) );
		$own = get_current_user_id() === $user_id;
		if ( ! $user_id || ! get_userdata( $user_id ) ) {
			wp_die( esc_html__( 'That user does not exist.', 'session-warden' ), '', array( 'response' => 404, 'back_link' => true ) );
		}
		// The REST API's rule: oneself, or (with the capability) a user one may manage.
		if ( ! Rest::may_manage_user( $user_id ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to end this user’s sessions.', 'session-warden' ), '', array( 'response' => 403, 'back_link' => true ) );
		}
		$by = $own ? 'user' : 'admin';

		if ( ! empty( $_REQUEST['others'] ) ) {
			// Your own: keep the session making this request. Someone else's: none of theirs is "current".
			try {
				$count  = Session_Actions::end_others( $user_id, $own ? Session_Id::current() : null, $by );
				$result = 'others';
			} catch ( \RuntimeException $e ) {
				$count  = 0;
				$result = 'busy';
			}
		} else {
			$sid   = isset( $_REQUEST['session'] ) ? sanitize_text_field( wp_unslash( $_REQUEST['session'] ) ) : '';
			$parts = Session_Id::parse( $sid );
			if ( null !== $parts && $parts['user_id'] !== $user_id ) {
				wp_die( esc_html__( 'That session belongs to another user.', 'session-warden' ), '', array( 'response' => 403, 'back_link' => true ) );
			}
			$ended  = null === $parts ? false : Session_Actions::end( $sid, $by );
			$count  = true === $ended ? 1 : 0;
			$result = true === $ended ? 'ended' : ( is_wp_error( $ended ) && 'session_warden_no_session' !== $ended->get_error_code() ? 'busy' : 'gone' );
		}

		$back = isset( $_REQUEST['redirect_to'] ) ? esc_url_raw( wp_unslash( $_REQUEST['redirect_to'] ) ) : ''; // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- esc_url_raw(), then wp_safe_redirect().
		if ( '' === $back ) {
			$back = (string) wp_get_referer();
		}
		if ( '' === $back ) {
			$back = $own ? admin_url( 'profile.php' ) : admin_url( 'user-edit.php?user_id=' . $user_id );
		}
		$back = add_query_arg(
			array(
				self::RESULT_ARG => $result,
				self::COUNT_ARG  => $count,
			),
			$back
		);
		wp_safe_redirect( $back );
		exit;
	}
}
