// One home for the page decompressors: the load's prepare step measures Parquet strings with them too.
export { PARQUET_COMPRESSORS } from '../../../../src/load/parquetCompressors.ts';
