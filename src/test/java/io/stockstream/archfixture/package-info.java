/**
 * Planted packages that mimic io.stockstream's layers, some breaking a rule on purpose, so that
 * ArchitectureControlTest can show each rule of ArchitectureTest failing where it should.
 */
package io.stockstream.archfixture;
