/**
 * Form fields bound to one path of the settings document, each showing the engine's errors for that
 * path right below it.
 */
import { __, sprintf } from '@wordpress/i18n';
import { useEffect, useState } from '@wordpress/element';
import {
	CheckboxControl,
	SelectControl,
	TextareaControl,
	TextControl,
	ToggleControl,
} from '@wordpress/components';
import { errorsAt, formatPath, getIn, numberish } from './paths.js';

/** The engine's messages for a field, below it. */
export function FieldErrors( { errors, showValue = false } ) {
	if ( ! errors.length ) {
		return null;
	}
	return (
		<div className="sw-field-errors" role="alert">
			{ errors.map( ( e, i ) => (
				<p className="sw-field-error" key={ i }>
					{ showValue && e.value !== ''
						? sprintf(
								/* translators: 1: the value the site owner wrote, 2: what is wrong with it. */
								__( '“%1$s” %2$s', 'session-warden' ),
								e.value,
								e.message
						  )
						: e.message }
				</p>
			) ) }
		</div>
	);
}

/**
 * A wrapper that marks the field (data-field, error class) and lists its errors.
 *
 * @param {Object} props
 */
export function Field( { path, errors, below = false, showValue = false, className = '', children } ) {
	const mine = errorsAt( errors, path, below );
	return (
		<div
			className={ `sw-field ${ mine.length ? 'has-error' : '' } ${ className }` }
			data-field={ path }
		>
			{ children }
			<FieldErrors errors={ mine } showValue={ showValue } />
		</div>
	);
}

/** Props every bound field takes. */
function useBound( { doc, parts, onChange } ) {
	return {
		value: getIn( doc, parts ),
		path: formatPath( parts ),
		set: ( v ) => onChange( parts, v ),
	};
}

/**
 * A whole number. With `inherit`, an empty box means "not set here" (null), as in a role's rule.
 *
 * @param {Object} props
 */
export function NumberField( props ) {
	const { label, help, errors, inherit = false, placeholder, min = 0, max, suffix } = props;
	const { value, path, set } = useBound( props );
	return (
		<Field path={ path } errors={ errors }>
			<TextControl
				label={ label }
				help={ help }
				type="number"
				min={ min }
				max={ max }
				placeholder={ placeholder }
				value={ value === null || value === undefined ? '' : String( value ) }
				onChange={ ( text ) => {
					const v = numberish( text );
					set( inherit && v === '' ? null : v );
				} }
				className={ suffix ? 'sw-has-suffix' : '' }
			/>
			{ suffix && <span className="sw-suffix">{ suffix }</span> }
		</Field>
	);
}

export function TextField( props ) {
	const { label, help, errors, inherit = false, placeholder } = props;
	const { value, path, set } = useBound( props );
	return (
		<Field path={ path } errors={ errors }>
			<TextControl
				label={ label }
				help={ help }
				placeholder={ placeholder }
				value={ value === null || value === undefined ? '' : String( value ) }
				onChange={ ( text ) => set( inherit && text === '' ? null : text ) }
			/>
		</Field>
	);
}

/**
 * A choice. With `inherit` (a label such as "As the defaults: Block"), a first option sets null.
 *
 * @param {Object} props
 */
export function ChoiceField( props ) {
	const { label, help, errors, options, inherit } = props;
	const { value, path, set } = useBound( props );
	const all = inherit ? [ { value: '', label: inherit }, ...options ] : options;
	const known = all.some( ( o ) => o.value === ( value ?? '' ) );
	return (
		<Field path={ path } errors={ errors }>
			<SelectControl
				label={ label }
				help={ help }
				value={ value ?? '' }
				options={
					known
						? all
						: [ ...all, { value: String( value ), label: String( value ) } ]
				}
				onChange={ ( v ) => set( inherit && v === '' ? null : v ) }
			/>
		</Field>
	);
}

export function ToggleField( props ) {
	const { label, help, errors, fallback = false } = props;
	const { value, path, set } = useBound( props );
	return (
		<Field path={ path } errors={ errors }>
			<ToggleControl
				label={ label }
				help={ help }
				checked={ value === undefined || value === null ? fallback : !! value }
				onChange={ ( v ) => set( v ) }
			/>
		</Field>
	);
}

/** Yes / no / as the defaults, for a boolean in a role's or user's rule. */
export function TriStateField( props ) {
	const { label, errors, inherit } = props;
	const { value, path, set } = useBound( props );
	return (
		<Field path={ path } errors={ errors }>
			<SelectControl
				label={ label }
				value={ value === null || value === undefined ? '' : value ? 'on' : 'off' }
				options={ [
					{ value: '', label: inherit },
					{ value: 'on', label: __( 'On', 'session-warden' ) },
					{ value: 'off', label: __( 'Off', 'session-warden' ) },
				] }
				onChange={ ( v ) => set( v === '' ? null : v === 'on' ) }
			/>
		</Field>
	);
}

const sameList = ( a, b ) =>
	Array.isArray( a ) &&
	Array.isArray( b ) &&
	a.length === b.length &&
	a.every( ( x, i ) => x === b[ i ] );

/**
 * A list typed as text, one entry per line (or separated by commas with `inline`). The text is kept as
 * typed while it still means the stored list, so blank lines and trailing commas can be typed.
 *
 * @param {Object} props
 */
export function ListField( props ) {
	const { label, help, errors, inline = false, numbers = false, placeholder, rows = 4 } = props;
	const { value, path, set } = useBound( props );
	const list = Array.isArray( value ) ? value : [];
	const format = ( l ) => l.join( inline ? ', ' : '\n' );
	const parse = ( text ) =>
		text
			.split( inline ? /[\s,]+/ : /\n/ )
			.map( ( s ) => s.trim() )
			.filter( ( s ) => s !== '' )
			.map( ( s ) => ( numbers ? numberish( s ) : s ) );
	const [ text, setText ] = useState( format( list ) );
	useEffect( () => {
		if ( ! sameList( parse( text ), list ) ) {
			setText( format( list ) );
		}
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [ JSON.stringify( list ) ] );
	const onChange = ( t ) => {
		setText( t );
		set( parse( t ) );
	};
	const Control = inline ? TextControl : TextareaControl;
	return (
		<Field path={ path } errors={ errors } below showValue>
			<Control
				label={ label }
				help={ help }
				value={ text }
				rows={ rows }
				placeholder={ placeholder }
				onChange={ onChange }
				className="sw-list"
			/>
		</Field>
	);
}

/** Role checkboxes for a list of role slugs (bypass, fail-closed). */
export function RoleChecks( props ) {
	const { label, help, errors, roles } = props;
	const { value, path, set } = useBound( props );
	const list = Array.isArray( value ) ? value : [];
	const extra = list.filter( ( slug ) => ! roles.some( ( r ) => r.slug === slug ) );
	const all = [ ...roles, ...extra.map( ( slug ) => ( { slug, name: slug } ) ) ];
	return (
		<Field path={ path } errors={ errors } below showValue>
			<fieldset className="sw-role-checks">
				<legend>{ label }</legend>
				{ all.map( ( r ) => (
					<CheckboxControl
						key={ r.slug }
						label={ r.name }
						checked={ list.includes( r.slug ) }
						onChange={ ( on ) =>
							set(
								on
									? [ ...list, r.slug ]
									: list.filter( ( s ) => s !== r.slug )
							)
						}
					/>
				) ) }
				{ help && <p className="sw-help">{ help }</p> }
			</fieldset>
		</Field>
	);
}

/** Seconds as people read them: "90 seconds", "30 minutes", "2 days". */
export function duration( seconds ) {
	const s = Number( seconds );
	if ( ! Number.isFinite( s ) || s <= 0 ) {
		return '';
	}
	const units = [
		[ 86400, ( n ) => sprintf( /* translators: %s: number */ __( '%s days', 'session-warden' ), n ) ],
		[ 3600, ( n ) => sprintf( /* translators: %s: number */ __( '%s hours', 'session-warden' ), n ) ],
		[ 60, ( n ) => sprintf( /* translators: %s: number */ __( '%s minutes', 'session-warden' ), n ) ],
	];
	for ( const [ size, label ] of units ) {
		if ( s >= size ) {
			return label( Math.round( ( s / size ) * 10 ) / 10 );
		}
	}
	return sprintf( /* translators: %s: number */ __( '%s seconds', 'session-warden' ), s );
}
