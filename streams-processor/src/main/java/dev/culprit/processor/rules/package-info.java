/**
 * What every root-cause rule shares: the result type, building a cause (with its deterministic
 * event id), formatting and fleet signatures.
 */
package dev.culprit.processor.rules;
