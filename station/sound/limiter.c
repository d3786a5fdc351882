/*
 * The station's output ceiling: a stereo-linked look-ahead peak limiter that sits between
 * FluidSynth and every output (offline render, real-time audio drivers, the file driver).
 *
 * Why here and not a LADSPA plugin inside FluidSynth: FluidSynth 2.3 runs its LADSPA
 * effects before it mixes reverb and chorus into the output (fluid_rvoice_mixer.c), so a
 * LADSPA limiter would let a profile's reverb pass the ceiling. This code instead takes the
 * finished mix from fluid_synth_write_float() (dry + reverb + chorus) and limits that.
 *
 * Loaded with ctypes (station/sound/limiter.py); it links against nothing but libc/libm:
 * fluid_synth_write_float is handed in as a function pointer, so no FluidSynth headers or
 * -dev package are needed to build it. Nothing here allocates, locks or logs once made, so
 * it is safe on a real-time audio thread.
 *
 * The algorithm, per frame n (samples are floats, full scale 1.0; T = threshold):
 *   need[n]  = min(1, T / max(|left|, |right|))        gain that keeps this frame at T
 *   env[n]   = min(need[n], 1 - (1 - env[n-1]) * r)     instant attack, smooth release
 *   low[n]   = min(env[n-D .. n])                       sliding minimum over D+1 frames
 *   gain[n]  = mean(low[n-D .. n])                      D+1-frame ramp: no click
 *   out[n]   = in[n - D] * gain[n], then clamped to +-T
 * Every low[j] averaged into gain[n] has env[n-D] in its window, so gain[n] <= env[n-D] <=
 * need[n-D]: the delayed frame cannot exceed T (the clamp only catches float rounding and
 * NaN). D frames (the look-ahead) is the only latency added. Below T every value is exactly
 * 1.0, so quiet audio passes bit for bit, only delayed.
 */

#define _POSIX_C_SOURCE 200809L    /* clock_nanosleep, strcasecmp */

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define STL_ABI 1               /* bumped when a signature changes: limiter.py checks it */
#define STL_CHUNK 512           /* frames rendered per FluidSynth call offline */
#define STL_RESUM 65536         /* frames between exact re-sums of the gain average */

typedef int (*stl_write_fn)(void *synth, int len, void *lout, int loff, int lincr,
                            void *rout, int roff, int rincr);

typedef struct stl {
    void *synth;
    stl_write_fn write;         /* fluid_synth_write_float */
    float threshold;            /* T, linear, 0 < T <= 1 */
    int enabled;                /* 0: offline renders pass through (measurements only) */
    int delay;                  /* D, look-ahead in frames (lookahead_s * rate, <= 5 ms) */
    int window;                 /* D + 1 */
    double release;             /* r: per-frame decay of (1 - env) */
    double env;
    float *delay_l, *delay_r;   /* ring of the last D input frames */
    int dpos;
    double *qval;               /* monotonic queue of (env, frame) for the sliding min */
    long long *qidx;
    int qhead, qlen;
    double *ramp;               /* ring of the last D+1 minima, and their sum */
    int rpos;
    double rsum;
    long long frame;
    float buf_l[STL_CHUNK], buf_r[STL_CHUNK];
    /* statistics, read by other threads: 32-bit values, so a read is never torn */
    volatile float min_gain;
    volatile float max_input;
    volatile uint32_t limited_blocks;   /* processing calls in which the gain dipped below 1 */
} stl_t;

int stl_abi(void) { return STL_ABI; }

void stl_free(stl_t *s)
{
    if (s == NULL) return;
    free(s->delay_l);
    free(s->delay_r);
    free(s->qval);
    free(s->qidx);
    free(s->ramp);
    free(s);
}

/* rate: Hz; threshold: linear 0..1; lookahead_s: 0..0.005; release_s: time constant > 0. */
stl_t *stl_new(void *synth, stl_write_fn write, double rate, double threshold,
               double lookahead_s, double release_s)
{
    if (!(rate >= 1000.0 && rate <= 384000.0) || !(threshold > 0.0 && threshold <= 1.0) ||
        !(lookahead_s >= 0.0 && lookahead_s <= 0.005) || !(release_s > 0.0 && release_s <= 10.0))
        return NULL;
    stl_t *s = calloc(1, sizeof *s);
    if (s == NULL) return NULL;
    s->synth = synth;
    s->write = write;
    s->threshold = (float)threshold;
    s->enabled = 1;
    s->delay = (int)floor(lookahead_s * rate + 1e-9);
    s->window = s->delay + 1;
    s->release = exp(-1.0 / (release_s * rate));
    s->env = 1.0;
    s->delay_l = calloc((size_t)s->window, sizeof(float));
    s->delay_r = calloc((size_t)s->window, sizeof(float));
    s->qval = calloc((size_t)s->window, sizeof(double));
    s->qidx = calloc((size_t)s->window, sizeof(long long));
    s->ramp = malloc((size_t)s->window * sizeof(double));
    if (!s->delay_l || !s->delay_r || !s->qval || !s->qidx || !s->ramp) {
        stl_free(s);
        return NULL;
    }
    for (int i = 0; i < s->window; i++) s->ramp[i] = 1.0;
    s->rsum = (double)s->window;
    s->min_gain = 1.0f;
    return s;
}

int stl_delay_frames(const stl_t *s) { return s->delay; }
/* Offline renders only: the real-time callback limits whatever this says. */
void stl_set_bypass(stl_t *s, int on) { s->enabled = !on; }
float stl_min_gain(const stl_t *s) { return s->min_gain; }
float stl_max_input(const stl_t *s) { return s->max_input; }
uint32_t stl_limited_blocks(const stl_t *s) { return s->limited_blocks; }

static inline float clamp_to(float y, float t)
{
    if (y > t) return t;
    if (y < -t) return -t;
    return y == y ? y : 0.0f;   /* NaN (never expected) becomes silence, not a full-scale DC */
}

/* Limit n frames of left/right in place. */
void stl_process(stl_t *s, float *left, float *right, int n)
{
    const float t = s->threshold;
    const int w = s->window, d = s->delay;
    double low_gain = 1.0;
    float peak_in = 0.0f;
    for (int i = 0; i < n; i++) {
        const float xl = left[i], xr = right[i];
        const float a = fmaxf(fabsf(xl), fabsf(xr));
        if (a > peak_in) peak_in = a;
        const double need = a > t ? (double)t / a : 1.0;
        double env = 1.0 - (1.0 - s->env) * s->release;
        if (env > 1.0 - 1e-12) env = 1.0;       /* no denormals creeping in while idle */
        if (need < env) env = need;
        s->env = env;

        /* sliding minimum of env over the last w frames (monotonic queue, ring of w;
         * indices wrap by a compare, not %: this loop runs 48000 times a second) */
        const long long f = s->frame++;
        if (s->qlen > 0 && s->qidx[s->qhead] <= f - w) {   /* left the window: at most one */
            if (++s->qhead == w) s->qhead = 0;
            s->qlen--;
        }
        while (s->qlen > 0) {
            int last = s->qhead + s->qlen - 1;
            if (last >= w) last -= w;
            if (s->qval[last] < env) break;
            s->qlen--;
        }
        int back = s->qhead + s->qlen;
        if (back >= w) back -= w;
        s->qval[back] = env;
        s->qidx[back] = f;
        s->qlen++;                                /* at most w entries: it fits */
        const double low = s->qval[s->qhead];

        /* average of the last w minima: the gain ramps over the look-ahead, no step */
        s->rsum += low - s->ramp[s->rpos];
        s->ramp[s->rpos] = low;
        if (++s->rpos == w) s->rpos = 0;
        if (f % STL_RESUM == 0) {                /* stop rounding drift of the running sum */
            double sum = 0.0;
            for (int k = 0; k < w; k++) sum += s->ramp[k];
            s->rsum = sum;
        }
        double gain = s->rsum / w;
        if (gain > 1.0) gain = 1.0;
        if (gain < low_gain) low_gain = gain;

        float yl = xl, yr = xr;
        if (d > 0) {                              /* out = the frame D frames ago */
            yl = s->delay_l[s->dpos];
            yr = s->delay_r[s->dpos];
            s->delay_l[s->dpos] = xl;
            s->delay_r[s->dpos] = xr;
            if (++s->dpos == d) s->dpos = 0;
        }
        left[i] = clamp_to((float)(yl * gain), t);
        right[i] = clamp_to((float)(yr * gain), t);
    }
    if (peak_in > s->max_input) s->max_input = peak_in;
    if (low_gain < 1.0) {
        s->limited_blocks++;
        if ((float)low_gain < s->min_gain) s->min_gain = (float)low_gain;
    }
}

static inline int16_t to_s16(float x)
{
    if (x > 1.0f) x = 1.0f;                      /* only reachable when disabled */
    if (x < -1.0f) x = -1.0f;
    if (x != x) x = 0.0f;
    return (int16_t)lrintf(x * 32767.0f);
}

/* Render frames offline into interleaved int16 stereo (no dither: identical input gives
 * identical output, so tests can compare renders exactly). 0 on success, -1 on failure. */
int stl_render_s16(stl_t *s, int frames, int16_t *out)
{
    while (frames > 0) {
        const int n = frames < STL_CHUNK ? frames : STL_CHUNK;
        if (s->write(s->synth, n, s->buf_l, 0, 1, s->buf_r, 0, 1) != 0) return -1;
        if (s->enabled) stl_process(s, s->buf_l, s->buf_r, n);
        for (int i = 0; i < n; i++) {
            out[2 * i] = to_s16(s->buf_l[i]);
            out[2 * i + 1] = to_s16(s->buf_r[i]);
        }
        out += 2 * n;
        frames -= n;
    }
    return 0;
}

/* Render frames offline into two float buffers (limited unless disabled). */
int stl_render_float(stl_t *s, int frames, float *left, float *right)
{
    if (s->write(s->synth, frames, left, 0, 1, right, 0, 1) != 0) return -1;
    if (s->enabled) stl_process(s, left, right, frames);
    return 0;
}

/* FluidSynth's fluid_audio_func_t, for new_fluid_audio_driver2(): the driver's audio
 * thread calls it for every period. write_float mixes reverb and chorus into our own
 * buffers, the limiter runs there, and only limited samples are copied out: the driver's
 * buffers never hold the raw mix, even for a moment (a JACK port buffer is read in place
 * by the clients connected to it). Further outputs (multi-channel cards) stay silent. */
int stl_audio_callback(void *data, int len, int nfx, float **fx, int nout, float **out)
{
    stl_t *s = data;
    (void)nfx;
    (void)fx;
    if (nout < 2 || out == NULL) return -1;
    for (int k = 2; k < nout; k++) memset(out[k], 0, (size_t)len * sizeof(float));
    for (int done = 0; done < len;) {
        const int n = len - done < STL_CHUNK ? len - done : STL_CHUNK;
        if (s->write(s->synth, n, s->buf_l, 0, 1, s->buf_r, 0, 1) != 0) {
            memset(out[0] + done, 0, (size_t)(len - done) * sizeof(float));
            memset(out[1] + done, 0, (size_t)(len - done) * sizeof(float));
            return -1;
        }
        stl_process(s, s->buf_l, s->buf_r, n);
        memcpy(out[0] + done, s->buf_l, (size_t)n * sizeof(float));
        memcpy(out[1] + done, s->buf_r, (size_t)n * sizeof(float));
        done += n;
    }
    return 0;
}

/* ---- the 'file' driver ------------------------------------------------------------------
 * FluidSynth's own file driver has no callback mode, so it would bypass the limiter. This
 * one does what it does (an audio thread rendering one period per period of wall time into
 * 16-bit stereo, raw or WAV by the name's extension) through stl_render_s16. */

typedef struct stl_file {
    stl_t *s;
    FILE *fp;
    int period, wav;
    double rate;
    uint32_t frames;
    atomic_int running, ok;         /* set by Python's thread, read by the audio thread */
    int16_t *buf;
    pthread_t thread;
} stl_file_t;

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = v & 0xff; p[1] = (v >> 8) & 0xff; p[2] = (v >> 16) & 0xff; p[3] = (v >> 24) & 0xff;
}

static int write_wav_header(FILE *fp, double rate, uint32_t frames)
{
    unsigned char h[44];
    const uint32_t max_frames = (0xFFFFFFFFu - 36u) / 4u;   /* past ~6 h the size saturates */
    const uint32_t bytes = (frames > max_frames ? max_frames : frames) * 4u, sr = (uint32_t)rate;
    memcpy(h, "RIFF", 4); put32(h + 4, 36u + bytes); memcpy(h + 8, "WAVEfmt ", 8);
    put32(h + 16, 16); h[20] = 1; h[21] = 0; h[22] = 2; h[23] = 0;   /* PCM, 2 channels */
    put32(h + 24, sr); put32(h + 28, sr * 4u); h[32] = 4; h[33] = 0; h[34] = 16; h[35] = 0;
    memcpy(h + 36, "data", 4); put32(h + 40, bytes);
    return fwrite(h, 1, sizeof h, fp) == sizeof h ? 0 : -1;
}

static void *file_loop(void *arg)
{
    stl_file_t *f = arg;
    struct timespec next;
    const long long step = (long long)(f->period / f->rate * 1e9);
    clock_gettime(CLOCK_MONOTONIC, &next);
    while (atomic_load(&f->running)) {
        if (stl_render_s16(f->s, f->period, f->buf) != 0 ||
            fwrite(f->buf, 4, (size_t)f->period, f->fp) != (size_t)f->period) {
            atomic_store(&f->ok, 0);
            break;
        }
        if (f->frames <= UINT32_MAX - (uint32_t)f->period) f->frames += (uint32_t)f->period;
        long long ns = next.tv_nsec + step;
        next.tv_sec += ns / 1000000000LL;
        next.tv_nsec = ns % 1000000000LL;
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
    }
    return NULL;
}

stl_file_t *stl_file_open(stl_t *s, const char *path, int period, double rate)
{
    if (period < 1 || period > 8192 || rate < 1000.0) return NULL;
    stl_file_t *f = calloc(1, sizeof *f);
    if (f == NULL) return NULL;
    f->s = s;
    f->period = period;
    f->rate = rate;
    const size_t len = strlen(path);
    f->wav = len >= 4 && strcasecmp(path + len - 4, ".wav") == 0;
    f->buf = malloc((size_t)period * 4);
    f->fp = fopen(path, "wb");
    if (f->buf == NULL || f->fp == NULL || (f->wav && write_wav_header(f->fp, rate, 0) != 0)) {
        if (f->fp) fclose(f->fp);
        free(f->buf);
        free(f);
        return NULL;
    }
    atomic_store(&f->running, 1);
    atomic_store(&f->ok, 1);
    if (pthread_create(&f->thread, NULL, file_loop, f) != 0) {
        fclose(f->fp);
        free(f->buf);
        free(f);
        return NULL;
    }
    return f;
}

int stl_file_ok(stl_file_t *f) { return atomic_load(&f->ok); }

void stl_file_close(stl_file_t *f)
{
    if (f == NULL) return;
    atomic_store(&f->running, 0);
    pthread_join(f->thread, NULL);
    if (f->wav && fseek(f->fp, 0, SEEK_SET) == 0) write_wav_header(f->fp, f->rate, f->frames);
    fclose(f->fp);
    free(f->buf);
    free(f);
}
