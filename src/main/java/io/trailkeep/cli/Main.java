package io.trailkeep.cli; public class Main { public static void main(String[] a){} }
